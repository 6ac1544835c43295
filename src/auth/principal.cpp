#include "frontdoor/auth/principal.hpp"

#include <algorithm>

namespace frontdoor::auth {

bool Principal::is_admin() const {
  return kind == Kind::user && std::any_of(roles.begin(), roles.end(),
                                           [](const auto& r) { return r.role == Role::admin; });
}

bool Principal::has_role(Role role, const std::string& property_id) const {
  return kind == Kind::user && std::any_of(roles.begin(), roles.end(), [&](const auto& r) {
           return r.role == role && r.property_id == property_id;
         });
}

bool Principal::belongs_to(const std::string& property_id) const {
  if (is_admin()) return true;
  if (kind == Kind::panel) return panel_property_id == property_id;
  return std::any_of(roles.begin(), roles.end(),
                     [&](const auto& r) { return r.property_id == property_id; });
}

std::string Principal::actor() const {
  switch (kind) {
    case Kind::user:
      return "user:" + user_id;
    case Kind::panel:
      return "panel:" + panel_id;
    case Kind::anonymous:
      break;
  }
  return "anonymous";
}

}  // namespace frontdoor::auth
