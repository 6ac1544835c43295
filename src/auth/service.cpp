#include "frontdoor/auth/service.hpp"

#include "frontdoor/auth/passwords.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/notify/messages.hpp"
#include "store.hpp"

namespace frontdoor::auth {
namespace {

common::ApiError invalid_credentials() {
  return {401, "invalid_credentials", "Unauthenticated", "The e-mail or password is wrong."};
}

common::ApiError invalid_refresh_token() {
  return {401, "invalid_refresh_token", "Unauthenticated",
          "This refresh token is unknown, used, revoked or expired; log in again."};
}

// Tells the store to start a new token family (a new login), not continue one.
const std::string kNewFamily;

std::string account_key(const std::string& email) { return "account:" + email; }
std::string address_key(const std::string& address) { return "address:" + address; }

}  // namespace

AuthService::AuthService(db::Pool& pool, const AccessTokens& tokens, const common::Clock& clock,
                         const notify::Outbox& outbox, std::string public_base_url,
                         LoginLimits limits)
    : pool_(pool),
      tokens_(tokens),
      clock_(clock),
      outbox_(outbox),
      public_base_url_(std::move(public_base_url)),
      limits_(limits) {
  store::prepare(pool_);
}

TokenPair AuthService::issue_tokens(pqxx::work& tx, const std::string& user_id,
                                    const std::string& family_id) {
  const std::string refresh = common::random_hex(32);
  store::insert_refresh_token(tx, common::sha256_hex(refresh), user_id, family_id,
                              clock_.now() + kRefreshTokenLifetime);
  return {tokens_.issue(user_id, store::roles_of(tx, user_id)), refresh, tokens_.lifetime()};
}

TokenPair AuthService::login(const std::string& raw_email, const std::string& password,
                             const std::string& address) {
  const std::string email = common::normalize_email(raw_email);
  const auto now = clock_.now();
  const store::AttemptLimits limits{limits_.failures_per_account, limits_.failures_per_address,
                                    limits_.window.count(), limits_.address_spacing.count()};
  store::Attempt attempt;
  auto credentials = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    // Counted as a failure before the password is looked at: a burst of guesses
    // is counted one by one, on every instance, and only those under the limit run.
    attempt =
        store::reserve_login_attempt(tx, account_key(email), address_key(address), now, limits);
    if (attempt.wait_seconds > 0) {
      throw common::ApiError::rate_limited(static_cast<int>(attempt.wait_seconds));
    }
    return store::credentials_by_email(tx, email);
  });
  // The slow hash runs without holding a database connection.
  const bool valid = credentials && credentials->password_hash
                         ? verify_password(*credentials->password_hash, password)
                         : (verify_against_dummy(password), false);
  if (!valid) throw invalid_credentials();
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    store::login_succeeded(tx, account_key(email), address_key(address), attempt);
    auto pair = issue_tokens(tx, credentials->user_id, kNewFamily);
    tx.commit();
    return pair;
  });
}

TokenPair AuthService::refresh(const std::string& refresh_token) {
  const std::string hash = common::sha256_hex(refresh_token);
  const auto now = clock_.now();
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto used = store::use_refresh_token(tx, hash, now);
    if (!used) {
      // A second use means two holders: end the whole session family.
      store::revoke_family_of_used_token(tx, hash, now);
      tx.commit();
      throw invalid_refresh_token();
    }
    auto pair = issue_tokens(tx, used->user_id, used->family_id);
    tx.commit();
    return pair;
  });
}

TokenPair AuthService::activate(const std::string& invite_token, const std::string& password) {
  const std::string hash = common::sha256_hex(invite_token);
  const auto now = clock_.now();
  auto invitee = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::open_invite(tx, hash, now);
  });
  if (!invitee) {
    throw common::ApiError::unprocessable(
        "invalid_invite", "This invitation link is unknown, already used or expired.");
  }
  if (auto weakness = password_weakness(password, invitee->email)) {
    throw common::ApiError::unprocessable("weak_password", *weakness,
                                          {{"password", "weak", *weakness}});
  }
  const std::string password_hash = hash_password(password);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    // Conditional: of two concurrent activations only one wins.
    if (!store::use_invite(tx, hash, now)) {
      throw common::ApiError::unprocessable(
          "invalid_invite", "This invitation link is unknown, already used or expired.");
    }
    store::set_password(tx, invitee->user_id, password_hash);
    auto pair = issue_tokens(tx, invitee->user_id, kNewFamily);
    tx.commit();
    return pair;
  });
}

Profile AuthService::me(const std::string& user_id) {
  auto profile = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::profile(tx, user_id);
  });
  if (!profile) throw common::ApiError::unauthenticated("This account no longer exists.");
  return *profile;
}

void AuthService::send_invite(pqxx::work& tx, const std::string& user_id, const std::string& email,
                              const std::string& display_name, const std::string& property_name,
                              const std::string& role_label) const {
  const auto link = activation_link(tx, user_id);
  const auto text = notify::account_invite_email(display_name, property_name, role_label, link);
  outbox_.enqueue(tx, notify::email_message("invite:" + common::sha256_hex(link), email,
                                            text.subject, text.text));
}

void AuthService::send_notice(pqxx::work& tx, const std::string& email,
                              const std::string& display_name, const std::string& property_name,
                              const std::string& role_label) const {
  const auto text =
      notify::account_added_email(display_name, property_name, role_label, public_base_url_);
  outbox_.enqueue(
      tx, notify::email_message("added:" + common::random_hex(16), email, text.subject, text.text));
}

std::string AuthService::activation_link(pqxx::work& tx, const std::string& user_id) const {
  const std::string token = common::random_hex(32);
  store::insert_invite(tx, common::sha256_hex(token), user_id, clock_.now() + kInviteLifetime);
  return public_base_url_ + "/activate?token=" + token;
}

long long AuthService::sweep(std::chrono::seconds failures, std::chrono::seconds refresh,
                             std::chrono::seconds invitations) {
  return store::sweep(pool_, {failures + limits_.window, refresh, invitations});
}

std::string AuthService::create_admin(const std::string& raw_email, const std::string& password) {
  const std::string email = common::normalize_email(raw_email);
  if (!common::is_email(email)) throw std::invalid_argument("not an e-mail address: " + raw_email);
  if (auto weakness = password_weakness(password, email)) throw std::invalid_argument(*weakness);
  const std::string password_hash = hash_password(password);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto user_id = store::upsert_user(tx, email, "Administrator", std::nullopt).id;
    store::set_password(tx, user_id, password_hash);
    store::grant_role(tx, user_id, Role::admin, "");
    tx.commit();
    return user_id;
  });
}

}  // namespace frontdoor::auth

namespace frontdoor::auth {

std::pair<std::string, bool> AuthService::ensure_user(
    pqxx::work& tx, const std::string& email, const std::string& display_name,
    const std::optional<std::string>& phone) const {
  const auto user = store::upsert_user(tx, email, display_name, phone);
  return {user.id, user.has_password};
}

void AuthService::grant_role(pqxx::work& tx, const std::string& user_id, Role role,
                             const std::string& property_id) const {
  store::grant_role(tx, user_id, role, property_id);
}

std::vector<std::string> AuthService::emails_with_role(pqxx::work& tx, Role role,
                                                       const std::string& property_id) const {
  return store::emails_with_role(tx, role, property_id);
}

void AuthService::revoke_role(pqxx::work& tx, const std::string& user_id, Role role,
                              const std::string& property_id) const {
  store::revoke_role(tx, user_id, role, property_id);
}

}  // namespace frontdoor::auth
