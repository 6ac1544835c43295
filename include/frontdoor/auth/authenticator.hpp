#pragma once

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/tokens.hpp"
#include "frontdoor/http/message.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::auth {

inline constexpr std::string_view kPanelKeyPrefix = "fdp_";

// Turns the Authorization header into a Principal: a person's access token is
// checked without the database; a panel key (fdp_...) is looked up by its hash.
class Authenticator {
 public:
  Authenticator(const AccessTokens& tokens, db::Pool& pool);

  // Anonymous without an Authorization header; 401 for a bad or expired credential.
  Principal authenticate(const http::Request& request) const;
  // 401 without a credential; 403 for a panel.
  Principal require_user(const http::Request& request) const;
  // 401 without a credential; 403 for a person.
  Principal require_panel(const http::Request& request) const;

 private:
  Principal require(const http::Request& request, Principal::Kind kind, const char* refusal) const;

  const AccessTokens& tokens_;
  db::Pool& pool_;
};

}  // namespace frontdoor::auth
