#pragma once

#include <string>
#include <vector>

#include "frontdoor/auth/roles.hpp"

namespace frontdoor::auth {

// Who is calling: nobody, a person (with roles from their access token), or a panel.
struct Principal {
  enum class Kind { anonymous, user, panel };
  Kind kind = Kind::anonymous;
  std::string user_id;
  std::string panel_id;
  std::string panel_property_id;
  std::vector<RoleAssignment> roles;

  bool is_admin() const;
  bool has_role(Role role, const std::string& property_id) const;
  // Any role at all in that property (admin counts everywhere).
  bool belongs_to(const std::string& property_id) const;
  // "user:<id>", "panel:<id>" or "anonymous": the actor in the audit trail.
  std::string actor() const;
};

}  // namespace frontdoor::auth
