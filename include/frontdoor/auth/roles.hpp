#pragma once

// What a person may be at a property. Header-only types, so that the modules'
// types.hpp can name a role without the whole Principal.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "frontdoor/common/names.hpp"

namespace frontdoor::auth {

enum class Role { admin, manager, staff, resident, visitor };

struct RoleAssignment {
  Role role;
  std::string property_id;  // empty for admin
};

}  // namespace frontdoor::auth

template <>
struct frontdoor::common::Names<frontdoor::auth::Role> {
  using Role = auth::Role;
  static constexpr std::array<std::pair<Role, std::string_view>, 5> all{
      {{Role::admin, "admin"},
       {Role::manager, "manager"},
       {Role::staff, "staff"},
       {Role::resident, "resident"},
       {Role::visitor, "visitor"}}};
};

namespace frontdoor::auth {

inline std::string to_string(Role role) { return std::string(common::name_of(role)); }
inline std::optional<Role> role_from_string(const std::string& text) {
  return common::named<Role>(text);
}

}  // namespace frontdoor::auth
