#pragma once

// What a person may be at a property. Header-only types, so that the modules'
// types.hpp can name a role without the whole Principal.
#include <optional>
#include <string>

namespace frontdoor::auth {

enum class Role { admin, manager, staff, resident, visitor };

// (Defined in principal.cpp.)
std::string to_string(Role role);
std::optional<Role> role_from_string(const std::string& text);

struct RoleAssignment {
  Role role;
  std::string property_id;  // empty for admin
};

}  // namespace frontdoor::auth
