#pragma once

#include <chrono>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <utility>
#include <vector>

#include "frontdoor/auth/tokens.hpp"
#include "frontdoor/auth/types.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/notify/outbox.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::auth {

// Failed logins. An account is locked for the rest of the window after
// failures_per_account. An address is never locked: past failures_per_address
// its attempts are spaced by address_spacing, so one client behind a shared NAT
// cannot lock everyone else out, and guessing from one address stays slow.
struct LoginLimits {
  int failures_per_account = 5;
  int failures_per_address = 20;
  std::chrono::seconds window = std::chrono::minutes(15);
  std::chrono::seconds address_spacing{1};
};

inline constexpr std::chrono::hours kRefreshTokenLifetime{24 * 30};
inline constexpr std::chrono::hours kInviteLifetime{24 * 7};

// Logins, token rotation, invites. Rules only: SQL lives in store.cpp, HTTP in routes.cpp.
class AuthService {
 public:
  AuthService(db::Pool& pool, const AccessTokens& tokens, const common::Clock& clock,
              const notify::Outbox& outbox, std::string public_base_url, LoginLimits limits = {});

  // 401 invalid_credentials (the same whether or not the e-mail exists), 429 rate_limited.
  TokenPair login(const std::string& email, const std::string& password,
                  const std::string& address);
  // Rotates: the presented token stops working. Presenting a used token again
  // revokes its whole family (someone else has a copy).
  TokenPair refresh(const std::string& refresh_token);
  // Sets the password of an invited account; the invite works once, for 7 days.
  TokenPair activate(const std::string& invite_token, const std::string& password);
  Profile me(const std::string& user_id);

  // For other modules, inside their transaction: a single-use invite for this
  // user, and the e-mail that carries its link queued in the outbox.
  // A single-use activation link for a user (7 days), for callers that write
  // their own invitation (visitors are told who invited them and when).
  std::string activation_link(pqxx::work& tx, const std::string& user_id) const;
  void send_invite(pqxx::work& tx, const std::string& user_id, const std::string& email,
                   const std::string& display_name, const std::string& property_name,
                   const std::string& role_label) const;
  // To an account that can already log in: the e-mail saying a property added them.
  void send_notice(pqxx::work& tx, const std::string& email, const std::string& display_name,
                   const std::string& property_name, const std::string& role_label) const;
  // For other modules, inside their transaction: the user with this e-mail,
  // created if new. Returns {user_id, has_password}.
  std::pair<std::string, bool> ensure_user(pqxx::work& tx, const std::string& email,
                                           const std::string& display_name,
                                           const std::optional<std::string>& phone) const;
  void grant_role(pqxx::work& tx, const std::string& user_id, Role role,
                  const std::string& property_id) const;
  // Everyone with this role at the property (the managers to alert, say).
  std::vector<std::string> emails_with_role(pqxx::work& tx, Role role,
                                            const std::string& property_id) const;
  void revoke_role(pqxx::work& tx, const std::string& user_id, Role role,
                   const std::string& property_id) const;

  // Deletes failed-login counters whose window ended `failures` ago, refresh tokens
  // expired `refresh` ago (a used one is kept until then, so reuse is still
  // caught) and invitations expired or used `invitations` ago; returns how many.
  long long sweep(std::chrono::seconds failures, std::chrono::seconds refresh,
                  std::chrono::seconds invitations);

  // The CLI's create-admin: creates or promotes the account, sets its password.
  std::string create_admin(const std::string& email, const std::string& password);

 private:
  TokenPair issue_tokens(pqxx::work& tx, const std::string& user_id, const std::string& family_id);

  db::Pool& pool_;
  const AccessTokens& tokens_;
  const common::Clock& clock_;
  const notify::Outbox& outbox_;
  std::string public_base_url_;
  LoginLimits limits_;
};

}  // namespace frontdoor::auth
