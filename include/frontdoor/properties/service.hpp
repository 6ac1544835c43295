#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/http/pagination.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::properties {

struct Settings {
  bool allow_visitor_access = true;
  int property_only_visitor_max_hours = 24;
  int ring_timeout_seconds = 30;
  nlohmann::json to_json() const;
};

struct SettingsChange {
  std::optional<bool> allow_visitor_access;
  std::optional<int> property_only_visitor_max_hours;
  std::optional<int> ring_timeout_seconds;
  // With visitor access turned off: also revoke every pass already given.
  bool revoke_existing = false;
};

// Runs in the settings transaction when visitor access is off and the change
// asked to revoke existing passes (the visitors module revokes them).
using VisitorAccessClosedHook = std::function<void(pqxx::work& tx, const auth::Principal& actor,
                                                   const std::string& property_id)>;

struct NewProperty {
  std::string name;
  std::string site_name;
  std::string time_zone;
};

// Properties, their units, staff, settings and panels. Every change is audited.
class PropertiesService {
 public:
  PropertiesService(db::Pool& pool, auth::AuthService& accounts, const audit::AuditTrail& audit);

  nlohmann::json create(const auth::Principal& actor, const NewProperty& property);
  nlohmann::json get(const auth::Principal& actor, const std::string& property_id);
  nlohmann::json add_unit(const auth::Principal& actor, const std::string& property_id,
                          const std::string& label, const std::optional<std::string>& floor);
  http::Response list_units(const auth::Principal& actor, const std::string& property_id,
                            const http::PageRequest& page);
  nlohmann::json invite_staff(const auth::Principal& actor, const std::string& property_id,
                              const std::string& email, const std::string& display_name,
                              auth::Role role);
  Settings settings(const auth::Principal& actor, const std::string& property_id);
  Settings change_settings(const auth::Principal& actor, const std::string& property_id,
                           const SettingsChange& change);
  void on_visitor_access_closed(VisitorAccessClosedHook hook);
  nlohmann::json create_panel(const auth::Principal& actor, const std::string& property_id,
                              const std::string& name,
                              const std::optional<std::string>& bmx_device_id);
  void revoke_panel(const auth::Principal& actor, const std::string& property_id,
                    const std::string& panel_id);

  // For other modules (visitors, calls): current settings, no authorization.
  std::optional<Settings> settings_of(const std::string& property_id);

 private:
  db::Pool& pool_;
  auth::AuthService& accounts_;
  const audit::AuditTrail& audit_;
  std::vector<VisitorAccessClosedHook> access_closed_hooks_;
};

}  // namespace frontdoor::properties
