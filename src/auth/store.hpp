#pragma once

// SQL of the auth module. Every function runs in the caller's transaction.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/types.hpp"
#include "frontdoor/common/clock.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::auth::store {

// The statements of sign-in, tokens, invites and roles (AuthService).
void prepare(db::Pool& pool);
// The statements every request's authentication needs (Authenticator).
void prepare_authentication(db::Pool& pool);
// Panel keys are also looked up on the I/O threads (directory searches).
void use_on_the_io_threads(db::AsyncDatabase& database);

struct PanelIdentity {
  std::string panel_id;
  std::string property_id;
};
// The live panel whose key has this hash.
std::optional<PanelIdentity> panel_by_key(pqxx::transaction_base& tx, const std::string& key_hash);
boost::asio::awaitable<std::optional<PanelIdentity>> panel_by_key(db::AsyncDatabase& database,
                                                                  const std::string& key_hash);

struct Credentials {
  std::string user_id;
  std::optional<std::string> password_hash;
};
std::optional<Credentials> credentials_by_email(pqxx::transaction_base& tx,
                                                const std::string& email);
std::vector<RoleAssignment> roles_of(pqxx::transaction_base& tx, const std::string& user_id);

// A sign-in attempt's limits, checked and counted in one step (migration 0018's
// login_attempt): 0 when it may go ahead (its failure is then already counted,
// against the account and the address), else the seconds to wait.
struct AttemptLimits {
  int per_account = 5;
  int per_address = 20;
  long long window_seconds = 900;
  long long spacing_seconds = 1;
};
struct Attempt {
  long long wait_seconds = 0;
  common::TimePoint at;                               // as given
  std::optional<common::TimePoint> previous_failure;  // the address's, before this attempt
};
Attempt reserve_login_attempt(pqxx::transaction_base& tx, const std::string& account_key,
                              const std::string& address_key, common::TimePoint now,
                              const AttemptLimits& limits);
// The password was right: the account starts over and the address gets its
// attempt back, with its last failure as it was.
void login_succeeded(pqxx::transaction_base& tx, const std::string& account_key,
                     const std::string& address_key, const Attempt& attempt);

// How long each kind of row is kept after it stops mattering.
struct Retention {
  std::chrono::seconds login_failures;  // after the window of its attempts
  std::chrono::seconds refresh_tokens;  // after expiry
  std::chrono::seconds invitations;     // after expiry or use
};
// Deletes what is past its retention, in small batches; returns the rows deleted.
long long sweep(db::Pool& pool, const Retention& retention);

void insert_refresh_token(pqxx::transaction_base& tx, const std::string& hash,
                          const std::string& user_id, const std::string& family_id,
                          common::TimePoint expires_at);
struct UsedRefresh {
  std::string user_id;
  std::string family_id;
};
// Marks an unused, unrevoked, unexpired token used; nullopt if it was not.
std::optional<UsedRefresh> use_refresh_token(pqxx::transaction_base& tx, const std::string& hash,
                                             common::TimePoint now);
// When the token was already used: revokes every token of its family. Returns true if it did.
bool revoke_family_of_used_token(pqxx::transaction_base& tx, const std::string& hash,
                                 common::TimePoint now);

void insert_invite(pqxx::transaction_base& tx, const std::string& hash, const std::string& user_id,
                   common::TimePoint expires_at);
struct Invitee {
  std::string user_id;
  std::string email;
};
std::optional<Invitee> open_invite(pqxx::transaction_base& tx, const std::string& hash,
                                   common::TimePoint now);
bool use_invite(pqxx::transaction_base& tx, const std::string& hash, common::TimePoint now);
void set_password(pqxx::transaction_base& tx, const std::string& user_id,
                  const std::string& password_hash);

// One round trip: the account and its roles.
std::optional<Profile> profile(pqxx::transaction_base& tx, const std::string& user_id);

struct UpsertedUser {
  std::string id;
  bool has_password = false;
};
// Creates the user, or returns the existing one with this e-mail (whose name
// and phone are theirs to change, so they are left as they are).
UpsertedUser upsert_user(pqxx::transaction_base& tx, const std::string& email,
                         const std::string& display_name, const std::optional<std::string>& phone);
void grant_role(pqxx::transaction_base& tx, const std::string& user_id, Role role,
                const std::string& property_id);

void revoke_role(pqxx::transaction_base& tx, const std::string& user_id, Role role,
                 const std::string& property_id);

// The e-mail addresses of everyone with this role at the property.
std::vector<std::string> emails_with_role(pqxx::transaction_base& tx, Role role,
                                          const std::string& property_id);

}  // namespace frontdoor::auth::store
