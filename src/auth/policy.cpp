#include "frontdoor/auth/policy.hpp"

#include <initializer_list>

#include "frontdoor/common/error.hpp"

namespace frontdoor::auth {
namespace {

bool any_role(const Principal& principal, const std::string& property_id,
              std::initializer_list<Role> roles) {
  for (Role role : roles) {
    if (principal.has_role(role, property_id)) return true;
  }
  return false;
}

}  // namespace

bool Policy::allows(const Principal& principal, Action action, const std::string& property_id) {
  if (principal.kind != Principal::Kind::user) return false;
  if (principal.is_admin()) return true;
  switch (action) {
    case Action::create_property:
    case Action::configure_bmx:
      return false;
    case Action::view_property:
      return principal.belongs_to(property_id);
    case Action::view_settings:
      return any_role(principal, property_id, {Role::manager, Role::staff, Role::resident});
    case Action::change_settings:
    case Action::manage_staff:
    case Action::manage_panels:
    case Action::view_audit:
    case Action::request_bmx_setup:
    case Action::view_bmx_health:
      return any_role(principal, property_id, {Role::manager});
    case Action::manage_units:
    case Action::manage_residents:
    case Action::manage_visitors:
    case Action::support:
      return any_role(principal, property_id, {Role::manager, Role::staff});
  }
  return false;
}

void Policy::require(const Principal& principal, Action action, const std::string& property_id) {
  if (principal.kind == Principal::Kind::anonymous) throw common::ApiError::unauthenticated();
  if (allows(principal, action, property_id)) return;
  if (action != Action::create_property && !principal.belongs_to(property_id)) {
    throw common::ApiError::not_found();
  }
  throw common::ApiError::forbidden();
}

}  // namespace frontdoor::auth
