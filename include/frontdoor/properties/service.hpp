#pragma once

#include <functional>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/properties/types.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::properties {

// Runs in the settings transaction when visitor access is off and the change
// asked to revoke existing passes (the visitors module revokes them).
using VisitorAccessClosedHook = std::function<void(pqxx::work& tx, const auth::Principal& actor,
                                                   const std::string& property_id)>;

// Properties, their units, staff, settings and panels. Every change is audited.
class PropertiesService {
 public:
  PropertiesService(db::Pool& pool, auth::AuthService& accounts, const audit::AuditTrail& audit);

  Property create(const auth::Principal& actor, const NewProperty& property);
  Property get(const auth::Principal& actor, const std::string& property_id);
  Unit add_unit(const auth::Principal& actor, const std::string& property_id,
                const std::string& label, const std::optional<std::string>& floor);
  UnitPage list_units(const auth::Principal& actor, const std::string& property_id,
                      const UnitQuery& query);
  InvitedStaff invite_staff(const auth::Principal& actor, const std::string& property_id,
                            const StaffInvitation& invitation);
  Settings settings(const auth::Principal& actor, const std::string& property_id);
  Settings change_settings(const auth::Principal& actor, const std::string& property_id,
                           const SettingsChange& change);
  void on_visitor_access_closed(VisitorAccessClosedHook hook);
  Panel create_panel(const auth::Principal& actor, const std::string& property_id,
                     const NewPanel& panel);
  void revoke_panel(const auth::Principal& actor, const std::string& property_id,
                    const std::string& panel_id);

 private:
  db::Pool& pool_;
  auth::AuthService& accounts_;
  const audit::AuditTrail& audit_;
  std::vector<VisitorAccessClosedHook> access_closed_hooks_;
};

}  // namespace frontdoor::properties
