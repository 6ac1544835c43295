#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/notify/dispatcher.hpp"
#include "frontdoor/notify/messages.hpp"
#include "frontdoor/notify/outbox.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::passes {

class PassIssuance;
namespace store {
struct UsageCandidate;
}

struct NewPass {
  std::string visitor_id;
  std::string property_id;
  std::string visitor_name;
  std::optional<int> max_uses;  // entries before the pass stops (nothing: no cap)
  std::string host_user_id;     // empty when staff invited the visitor
  std::string holder_user_id;   // the visitor's account; empty for property-only
  bool on_placeholder = false;  // staff: the site's placeholder tenant, and BMX e-mails the key
  std::optional<std::string> bmx_email;
  // Property-only: a page link sent by SMS to this number once the pass is issued.
  std::optional<std::string> sms_to;
  std::string host_name;
  std::string property_name;
  std::string window_text;  // the window as the property shows it (its time zone)
};

// A pass just created: pending, and for a property-only visitor the page its SMS links to.
struct CreatedPass {
  std::string status = "pending";
  std::optional<std::string> url;
};

// An issued pass as its holder's app shows it (GET /v1/me/credentials).
struct Credential {
  std::string visitor_id;
  std::string property_id;
  std::string property_name;
  common::TimePoint starts_at;
  common::TimePoint ends_at;
  bool valid_now = false;
  std::string qr_payload;  // the BMX virtual key's PIN, which its QR code encodes
};

// The BMX credential behind a visit: issued through the outbox (a keychain for
// exactly the visit's window, then its virtual key), revoked at BMX through the
// outbox, shown on the pass page and in a visitor's credentials.
class PassesService {
 public:
  PassesService(db::Pool& pool, bmx::BmxService& bmx, const bmx::TokenCipher& cipher,
                const notify::Outbox& outbox, const audit::AuditTrail& audit,
                const common::Clock& clock, std::string public_base_url,
                std::chrono::milliseconds bmx_settle_time);
  ~PassesService();

  // In the visitor's transaction: the pass (pending) and its issuance job.
  // The url exists only for property-only passes.
  CreatedPass create(pqxx::work& tx, const NewPass& pass) const;
  // In the caller's transaction. Returns false when there was nothing to revoke.
  bool revoke(pqxx::work& tx, const auth::Principal& actor, const std::string& visitor_id) const;
  void revoke_hosted_by(pqxx::work& tx, const auth::Principal& actor, const std::string& user_id,
                        const std::string& property_id) const;
  void revoke_all_at(pqxx::work& tx, const auth::Principal& actor,
                     const std::string& property_id) const;

  // The outbox steps that issue and delete passes at BMX (issuance.hpp).
  void register_on(notify::Dispatcher& dispatcher);
  // A BMX access event: BMX's counts of the keys that may have been used are
  // read back and recorded. A first use is the visitor's arrival; a use that
  // reaches the pass's max_uses ends it (docs/api.md, "Pass kinds").
  void on_access(const bmx::VerifiedAccess& access);

  // The caller's passes that are valid now or later.
  std::vector<Credential> credentials(const auth::Principal& actor);

 private:
  // One key's new count, in one transaction with what it causes.
  void record_use(const std::string& property_id, const store::UsageCandidate& candidate,
                  const bmx::VirtualKey& key) const;
  // A push to the resident who invited the visitor (staff visitors have none):
  // the visitor arrived, or the pass's last entry was used.
  enum class Told { arrived, used_up };
  void tell_host(pqxx::work& tx, const store::UsageCandidate& candidate,
                 const std::string& property_id, Told what, const notify::PushText& text) const;
  // The keychain of a revoked pass is deleted at BMX through the outbox.
  void queue_deletion(pqxx::work& tx, const std::string& visitor_id, const std::string& property_id,
                      notify::Channel lane = notify::Channel::bmx) const;

  db::Pool& pool_;
  bmx::BmxService& bmx_;
  const bmx::TokenCipher& cipher_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
  const common::Clock& clock_;
  std::string public_base_url_;
  std::unique_ptr<PassIssuance> issuance_;
};

}  // namespace frontdoor::passes
