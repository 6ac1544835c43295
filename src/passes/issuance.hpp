#pragma once

// Issuing a pass at BMX, as outbox steps (channel "bmx"): each job reads where
// the pass stands and does the next thing, so a retry, a restart or a second
// instance picks up where the last attempt stopped.
//
//   issue_pass:     find the keychain an interrupted attempt made, or create
//                   one for exactly the visit's window; then its one key; then
//                   the pass is issued (and the SMS with its page queued).
//   revoke_pass:    the keychain of a revoked pass is deleted at BMX.
//   close_pass:     a delivery pass (BMX gives it a month) is deleted at BMX
//                   when the visit's window ends; its issue_pass waits for the
//                   window to open.
//   reconcile_pass: after an interrupted creation, once BMX can no longer be
//                   finishing it, every keychain of the visit but the pass's goes.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/notify/dispatcher.hpp"
#include "frontdoor/notify/outbox.hpp"
#include "store.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::passes {

// The issue_pass job: which pass, and the SMS to send once it exists.
struct IssueJob {
  struct Sms {
    std::string to;
    std::string text;
  };
  std::string visitor_id;
  std::string property_id;
  std::optional<Sms> sms;
};
nlohmann::json to_payload(const IssueJob& job);
IssueJob issue_job_from(const nlohmann::json& payload);

// BMX knows the keychain by this name, so an interrupted creation can be found.
std::string keychain_name(const std::string& visitor_id);

class PassIssuance {
 public:
  PassIssuance(db::Pool& pool, bmx::BmxService& bmx, const bmx::TokenCipher& cipher,
               const notify::Outbox& outbox, const audit::AuditTrail& audit,
               std::chrono::milliseconds bmx_settle_time);

  void register_on(notify::Dispatcher& dispatcher);

  notify::Delivery issue(const IssueJob& job);
  notify::Delivery delete_at_bmx(const std::string& visitor_id);
  notify::Delivery reconcile(const std::string& visitor_id);
  // A delivery pass's keychain goes at BMX once its window is over.
  notify::Delivery close_at_window_end(const std::string& visitor_id);

 private:
  // The steps of issue().
  // The pass's keychain: known, found after an interruption, or created now;
  // nothing when the pass was revoked meanwhile (and the keychain deleted).
  std::optional<std::int64_t> keychain_for(const std::string& visitor_id,
                                           const store::Issuance& pass, bmx::BmxAccess& access);
  // The key sealed and the pass issued, in one transaction with its SMS and audit;
  // false when it was revoked while BMX worked.
  // With close_at_window_end (delivery passes), the close_pass job is queued
  // in the same transaction.
  bool record_issued(const IssueJob& job, std::int64_t keychain_id, const bmx::VirtualKey& key,
                     bool close_at_window_end);
  void queue_window_end(pqxx::work& tx, const std::string& visitor_id,
                        const std::string& property_id);
  // BMX has no idempotency keys: a creation we gave up on may still happen.
  void schedule_reconcile(const std::string& visitor_id, const std::string& property_id);
  // The pass failed for good: recorded, and the resident who asked is told.
  notify::Delivery fail(const std::string& visitor_id, const std::string& code,
                        const std::string& reason);

  db::Pool& pool_;
  bmx::BmxService& bmx_;
  const bmx::TokenCipher& cipher_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
  std::chrono::milliseconds bmx_settle_time_;
};

}  // namespace frontdoor::passes
