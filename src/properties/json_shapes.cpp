#include "json_shapes.hpp"

#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"

namespace frontdoor::properties {

using http::text_or_null;
using http::value_or_null;

nlohmann::json to_json(const Settings& settings) {
  return {
      {"allow_visitor_access", settings.allow_visitor_access},
      {"property_only_visitor_max_hours", settings.property_only_visitor_max_hours},
      {"ring_timeout_seconds", settings.ring_timeout_seconds},
      {"max_active_passes_per_resident", value_or_null(settings.max_active_passes_per_resident)},
      {"max_passes_per_resident_per_day", value_or_null(settings.max_passes_per_resident_per_day)},
      {"directory_mode", settings.directory_mode},
      {"front_desk_fallback", settings.front_desk_fallback}};
}

nlohmann::json to_json(const Property& property) {
  nlohmann::json out{{"id", property.id},
                     {"name", property.name},
                     {"site_name", property.site_name},
                     {"time_zone", property.time_zone},
                     {"settings", to_json(property.settings)}};
  if (property.created_at) out["created_at"] = common::to_rfc3339(*property.created_at);
  return out;
}

nlohmann::json to_json(const Unit& unit) {
  return {{"id", unit.id}, {"label", unit.label}, {"floor", text_or_null(unit.floor)}};
}

nlohmann::json to_json(const InvitedStaff& staff) {
  return {{"user_id", staff.user_id},
          {"email", staff.invitation.email},
          {"display_name", staff.invitation.display_name},
          {"role", auth::to_string(staff.invitation.role)},
          {"property_id", staff.property_id},
          {"invited", true}};
}

nlohmann::json to_json(const Panel& panel) {
  return {{"id", panel.id},
          {"name", panel.panel.name},
          {"bmx_device_id", text_or_null(panel.panel.bmx_device_id)},
          {"api_key", panel.api_key}};
}

}  // namespace frontdoor::properties
