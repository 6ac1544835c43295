#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/auth/roles.hpp"

namespace frontdoor::auth {

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  std::chrono::seconds expires_in;
};

// An account as its owner sees it (GET /v1/me), with every role it holds now.
struct Profile {
  std::string id;
  std::string email;
  std::optional<std::string> phone;
  std::string display_name;
  std::vector<RoleAssignment> roles;  // by role, then property
};

}  // namespace frontdoor::auth
