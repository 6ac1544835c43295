#pragma once

// The passes module's SQL (store.cpp) behind typed functions: arguments in, row
// structs out. Nothing else in the module's service names a statement.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/bmx/client.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::passes::store {

// Registers the module's prepared statements.
void prepare(db::Pool& pool);

struct NewRow {
  std::string visitor_id;
  std::string property_id;
  std::optional<std::string> holder_user_id;
  bool on_placeholder = false;
  std::optional<std::string> token_hash;  // the pass page's link, property-only
  std::optional<int> max_uses;
};
void insert(pqxx::transaction_base& tx, const NewRow& row);

// A pass being issued, with its visit.
struct Issuance {
  visitors::PassStatus status = visitors::PassStatus::pending;
  bool on_placeholder = false;
  std::optional<std::string> host_user_id;
  std::string property_id;
  std::string visitor_name;
  common::TimePoint starts_at;
  common::TimePoint ends_at;
  std::optional<std::string> email;
  std::optional<std::int64_t> keychain_id;
  bool interrupted = false;  // a keychain was asked for before: BMX may have made it
  visitors::Kind kind = visitors::Kind::window;  // the visit's
  std::optional<bmx::WeeklyWindows> weekly;      // recurring
  std::optional<int> max_uses;                   // entries the pass allows; nothing: no cap
};
std::optional<Issuance> issuance(pqxx::transaction_base& tx, const std::string& visitor_id);
void keychain_requested(pqxx::transaction_base& tx, const std::string& visitor_id,
                        std::int64_t tenant_id);
// Whether the pass is still pending (and now knows its keychain).
bool keychain_created(pqxx::transaction_base& tx, const std::string& visitor_id,
                      std::int64_t keychain_id);
// Whether the pass was still pending and is issued now.
bool issued(pqxx::transaction_base& tx, const std::string& visitor_id, std::int64_t key_id,
            const std::string& sealing_key_id, const std::string& sealed_credential);

struct Failed {
  std::string property_id;
  std::optional<std::string> host_user_id;
  std::string visitor_name;
};
// Nothing when the pass was no longer pending.
std::optional<Failed> failed(pqxx::transaction_base& tx, const std::string& visitor_id,
                             const std::string& code, const std::string& reason);

struct Revoked {
  std::string visitor_id;
  std::string property_id;
  bool has_keychain = false;  // its keychain must be deleted at BMX
};
std::optional<Revoked> revoke(pqxx::transaction_base& tx, const std::string& visitor_id);
std::vector<Revoked> revoke_hosted_by(pqxx::transaction_base& tx, const std::string& user_id,
                                      const std::string& property_id);
std::vector<Revoked> revoke_all_at(pqxx::transaction_base& tx, const std::string& property_id);

struct Keychain {
  std::optional<std::int64_t> id;
  std::string property_id;
  visitors::PassStatus status = visitors::PassStatus::pending;
  bool settled = false;  // BMX can no longer be finishing a creation we gave up on
};
std::optional<Keychain> keychain_of(pqxx::transaction_base& tx, const std::string& visitor_id,
                                    std::chrono::milliseconds settle_time);
void deleted_at_bmx(pqxx::transaction_base& tx, const std::string& visitor_id);

// An issued pass its holder may show now or later.
struct Credential {
  std::string visitor_id;
  std::string property_id;
  std::string property_name;
  common::TimePoint starts_at;
  common::TimePoint ends_at;
  std::string sealing_key_id;
  std::string sealed_credential;
  bool valid_now = false;
};
std::vector<Credential> credentials_of(pqxx::transaction_base& tx, const std::string& user_id,
                                       common::TimePoint now);

// Issued passes at this tenant, not used up, whose window is around `at`: one
// of them may have been used.
struct UsageCandidate {
  std::string visitor_id;
  std::int64_t key_id = 0;
  std::optional<std::string> host_user_id;
  std::string visitor_name;
  int uses = 0;  // as last recorded
  visitors::Kind kind = visitors::Kind::window;
};
std::vector<UsageCandidate> usage_candidates(pqxx::transaction_base& tx,
                                             const std::string& property_id, std::int64_t tenant_id,
                                             common::TimePoint at);
// BMX's count of the key's uses, recorded when it is higher than the one
// recorded; nothing when it was not.
struct Used {
  bool first_arrival = false;
  bool cap_reached = false;  // this count reached max_uses
  std::optional<int> max_uses;
};
std::optional<Used> used(pqxx::transaction_base& tx, const std::string& visitor_id, int uses,
                         const std::optional<std::string>& first_used_at,
                         const std::optional<std::string>& last_used_at);

// --- The pass page (read on the I/O thread) --------------------------------

// Prepares the page's statement and has the I/O threads' connections use it.
void prepare_page(db::Pool& pool, db::AsyncDatabase& database);

// A pass as its page shows it, found by the hash of the SMS link's token.
struct Page {
  std::string pass_id;
  visitors::PassStatus status = visitors::PassStatus::pending;
  std::string sealing_key_id;
  std::string sealed_credential;
  std::string visitor_name;
  std::string property_name;
  std::string starts;  // in the property's time zone, as the page shows it
  std::string ends;
  std::string time_zone;
  bool not_yet = false;  // the window has not begun at `now`
  bool over = false;     // the window has ended at `now`
  visitors::Kind kind = visitors::Kind::window;
  bool used_up = false;  // its entries reached max_uses
  int uses = 0;
  std::string schedule;  // recurring: "Mon, Thu 09:00–12:00, until 1 Mar 2027"
};
// One more unknown token from this address: whether it is still under the limit
// shared by every instance.
boost::asio::awaitable<bool> guess_allowed(db::AsyncDatabase& database,
                                           const std::string& remote_address);
boost::asio::awaitable<std::optional<Page>> page(db::AsyncDatabase& database,
                                                 const std::string& token_hash,
                                                 common::TimePoint now);

}  // namespace frontdoor::passes::store
