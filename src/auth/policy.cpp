#include "frontdoor/auth/policy.hpp"

#include <algorithm>
#include <initializer_list>
#include <vector>

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
    case Action::manage_deny_list:
    case Action::manage_webhooks:
      return any_role(principal, property_id, {Role::manager});
    case Action::manage_units:
    case Action::manage_residents:
    case Action::manage_visitors:
    case Action::view_deny_list:
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

bool Policy::lives_somewhere(const Principal& principal) {
  return std::any_of(principal.roles.begin(), principal.roles.end(),
                     [](const RoleAssignment& role) { return role.role == Role::resident; });
}

void Policy::require_resident(const Principal& principal) {
  if (principal.kind == Principal::Kind::anonymous) throw common::ApiError::unauthenticated();
  if (!lives_somewhere(principal)) throw common::ApiError::forbidden("Only residents may do this.");
}

std::string Policy::resident_property(const Principal& principal,
                                      const std::optional<std::string>& named) {
  if (principal.kind == Principal::Kind::anonymous) throw common::ApiError::unauthenticated();
  std::vector<std::string> homes;
  for (const auto& role : principal.roles) {
    if (role.role == Role::resident) homes.push_back(role.property_id);
  }
  if (named) {
    if (std::find(homes.begin(), homes.end(), *named) == homes.end()) {
      throw common::ApiError::forbidden("You do not live at this property.");
    }
    return *named;
  }
  if (homes.empty()) throw common::ApiError::forbidden("Only residents may do this.");
  if (homes.size() > 1) {
    throw common::ApiError::unprocessable(
        "property_required", "You live at more than one property: name one with property_id.",
        {{"property_id", "required", "Required when you live at more than one property."}});
  }
  return homes.front();
}

}  // namespace frontdoor::auth
