#pragma once

#include <string>

#include "frontdoor/auth/principal.hpp"

namespace frontdoor::auth {

// Everything a principal may ask to do to a property. Handlers ask the policy;
// they never decide inline.
enum class Action {
  create_property,    // admin
  view_property,      // anyone who belongs to the property
  view_settings,      // admin, manager, staff, resident
  change_settings,    // admin, manager
  manage_staff,       // admin, manager
  manage_units,       // admin, manager, staff
  manage_residents,   // admin, manager, staff
  manage_panels,      // admin, manager
  view_audit,         // admin, manager
  support,            // admin, manager, staff: resident diagnostics
  configure_bmx,      // admin: the site set-up with the building admin's BMX sign-in
  request_bmx_setup,  // admin, manager: tell the operator the placeholder tenant exists
  view_bmx_health,    // admin, manager: the integration record and its health
  manage_visitors,    // admin, manager, staff: the property's own visitors
};

class Policy {
 public:
  static bool allows(const Principal& principal, Action action, const std::string& property_id);

  // Throws 401 for anonymous callers; 404 when the caller has nothing to do with
  // the property (its existence is not revealed); 403 when they do but may not.
  static void require(const Principal& principal, Action action, const std::string& property_id);
};

}  // namespace frontdoor::auth
