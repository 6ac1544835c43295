#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/common/clock.hpp"

namespace frontdoor::auth {

struct SigningKey {
  std::string id;
  std::string secret;
};

struct AccessClaims {
  std::string user_id;
  std::vector<RoleAssignment> roles;
  common::TimePoint expires_at;
};

// Short-lived access tokens: JWS compact form, HS256 over OpenSSL HMAC, with the
// key id in the header so keys can rotate. The first key signs; every key verifies.
class AccessTokens {
 public:
  AccessTokens(std::vector<SigningKey> keys, const common::Clock& clock,
               std::chrono::seconds lifetime = std::chrono::minutes(15));

  std::string issue(const std::string& user_id, const std::vector<RoleAssignment>& roles) const;
  // nullopt for anything but a well-formed, correctly signed, unexpired token.
  std::optional<AccessClaims> verify(std::string_view token) const;
  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  std::vector<SigningKey> keys_;
  const common::Clock& clock_;
  std::chrono::seconds lifetime_;
};

}  // namespace frontdoor::auth
