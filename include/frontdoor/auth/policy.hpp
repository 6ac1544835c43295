#pragma once

#include <optional>
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
  view_deny_list,     // admin, manager, staff: who may not be invited, and why
  manage_deny_list,   // admin, manager
  manage_webhooks,    // admin, manager: integrators' webhooks and their deliveries
};

class Policy {
 public:
  static bool allows(const Principal& principal, Action action, const std::string& property_id);

  // Throws 401 for anonymous callers; 404 when the caller has nothing to do with
  // the property (its existence is not revealed); 403 when they do but may not.
  static void require(const Principal& principal, Action action, const std::string& property_id);

  // Whether the caller is a resident anywhere now.
  static bool lives_somewhere(const Principal& principal);
  // 401 for anonymous callers, 403 unless the caller lives somewhere now.
  static void require_resident(const Principal& principal);

  // The property a resident acts at (their principal's roles must be current):
  // `named` when they live there (else 403), or their only residency when none is
  // named (403 when they live nowhere, 422 property_required when at several).
  static std::string resident_property(const Principal& principal,
                                       const std::optional<std::string>& named);
};

}  // namespace frontdoor::auth
