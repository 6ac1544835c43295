#include "frontdoor/properties/routes.hpp"

#include <regex>

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/properties/service.hpp"
#include "json_shapes.hpp"

namespace frontdoor::properties {
namespace {

// Becomes part of the BMX placeholder's e-mail: butterflymx+<site_name>@<domain>.
bool is_site_name(const std::string& text) {
  static const std::regex kSiteName("[a-z0-9][a-z0-9._-]{1,62}");
  return std::regex_match(text, kSiteName);
}

// ?limit= and ?cursor= of the units list, keyset on (label, id).
UnitQuery unit_query(const http::Request& request) {
  const auto page = http::page_request(request);
  UnitQuery query{page.limit, std::nullopt};
  if (auto after = http::cursor_parts(page, {http::CursorPart::text, http::CursorPart::uuid})) {
    query.after = LabelAndId{(*after)[0], (*after)[1]};
  }
  return query;
}

http::Response unit_page_response(const UnitPage& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& unit : page.items) items.push_back(to_json(unit));
  std::optional<nlohmann::json> next;
  if (page.next) next = nlohmann::json::array({page.next->label, page.next->id});
  return http::page_response(std::move(items), next);
}

// A per-resident pass limit: 1 to 1000, or null for none (docs/api.md).
LimitChange pass_limit(http::JsonFields& fields, std::string_view name) {
  const auto limit = fields.nullable_integer(name, 1, 1000);
  if (!limit.given) return {};
  return {true, limit.value ? std::optional(static_cast<int>(*limit.value)) : std::nullopt};
}

// POST /v1/properties: the new property's name, site name and time zone.
NewProperty new_property(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto name = fields.string("name", true, 1, 200);
  auto site_name = fields.string("site_name", true, 2, 63);
  if (site_name && !is_site_name(*site_name)) {
    fields.add_error("site_name", "format",
                     "Use lower-case letters, digits, '.', '_' or '-', starting with a letter "
                     "or digit.");
  }
  auto time_zone = fields.string("time_zone", true, 1, 64);
  fields.finish();
  return {*name, *site_name, *time_zone};
}

// POST /v1/properties/{pid}/staff: whom to invite, and as manager or staff.
StaffInvitation staff_invitation(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto email = fields.email("email", true);
  auto display_name = fields.string("display_name", true, 1, 100);
  auto role = fields.one_of("role", true, {"manager", "staff"});
  fields.finish();
  return {*email, *display_name, *auth::role_from_string(*role)};
}

// PATCH /v1/properties/{pid}/settings: the settings given, at least one.
SettingsChange settings_change(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  SettingsChange change;
  change.allow_visitor_access = fields.boolean("allow_visitor_access", false);
  if (auto hours = fields.integer("property_only_visitor_max_hours", false, 1, 8760)) {
    change.property_only_visitor_max_hours = static_cast<int>(*hours);
  }
  if (auto seconds = fields.integer("ring_timeout_seconds", false, 10, 120)) {
    change.ring_timeout_seconds = static_cast<int>(*seconds);
  }
  change.max_active_passes_per_resident = pass_limit(fields, "max_active_passes_per_resident");
  change.max_passes_per_resident_per_day = pass_limit(fields, "max_passes_per_resident_per_day");
  change.directory_mode = fields.one_of("directory_mode", false, {"residents", "units"});
  change.front_desk_fallback = fields.boolean("front_desk_fallback", false);
  change.revoke_existing = fields.boolean("revoke_existing", false).value_or(false);
  if (change.revoke_existing && change.allow_visitor_access.value_or(false)) {
    fields.add_error("revoke_existing", "conflict",
                     "Only with allow_visitor_access false: passes are revoked when visitor "
                     "access is turned off.");
  }
  if (!fields.has("allow_visitor_access") && !fields.has("property_only_visitor_max_hours") &&
      !fields.has("ring_timeout_seconds") && !fields.present("max_active_passes_per_resident") &&
      !fields.present("max_passes_per_resident_per_day") && !fields.has("directory_mode") &&
      !fields.has("front_desk_fallback")) {
    fields.add_error("", "empty", "Send at least one setting to change.");
  }
  fields.finish();
  return change;
}

}  // namespace

void add_routes(auth::Routes& routes, PropertiesService& service) {
  const auto& authenticator = routes.authenticator();
  routes.add("POST", "/v1/properties", {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(201,
                                          to_json(service.create(actor, new_property(request))));
             });

  routes.add("GET", "/v1/properties/{pid}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(service.get(actor, http::uuid_param(request, "pid"))));
             });

  routes.add("POST", "/v1/properties/{pid}/units",
             {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto label = fields.string("label", true, 1, 32);
               auto floor = fields.string("floor", false, 1, 16);
               fields.finish();
               return http::json_response(
                   201, to_json(service.add_unit(actor, property_id, *label, floor)));
             });

  routes.add(
      "GET", "/v1/properties/{pid}/units", {.caller = auth::Caller::person},
      [&](http::Request& request, const auth::Principal& actor) {
        const auto property_id = http::uuid_param(request, "pid");
        return unit_page_response(service.list_units(actor, property_id, unit_query(request)));
      });

  routes.add(
      "POST", "/v1/properties/{pid}/staff", {.caller = auth::Caller::person, .idempotent = true},
      [&](http::Request& request, const auth::Principal& actor) {
        const auto property_id = http::uuid_param(request, "pid");
        return http::json_response(
            201, to_json(service.invite_staff(actor, property_id, staff_invitation(request))));
      });

  routes.add("GET", "/v1/properties/{pid}/settings", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(service.settings(actor, http::uuid_param(request, "pid"))));
             });

  routes.add("PATCH", "/v1/properties/{pid}/settings", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               return http::json_response(200, to_json(service.change_settings(
                                                   actor, property_id, settings_change(request))));
             });

  routes.add("POST", "/v1/properties/{pid}/panels",
             {.caller = auth::Caller::person, .idempotent = true, .shown_once = {"api_key"}},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto name = fields.string("name", true, 1, 100);
               auto bmx_device_id = fields.string("bmx_device_id", false, 1, 64);
               fields.finish();
               return http::json_response(
                   201, to_json(service.create_panel(actor, property_id, {*name, bmx_device_id})));
             });

  routes.add("DELETE", "/v1/properties/{pid}/panels/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto panel_id = http::uuid_param(request, "id");
               service.revoke_panel(actor, http::uuid_param(request, "pid"), panel_id);
               authenticator.forget_panel(panel_id);
               return http::Response::no_content();
             });
}

}  // namespace frontdoor::properties
