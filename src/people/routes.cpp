#include "frontdoor/people/routes.hpp"

#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/people/service.hpp"

namespace frontdoor::people {
namespace {

using http::text_or_null;

nlohmann::json to_json(const Resident& resident) {
  return {{"id", resident.id},
          {"user_id", resident.user_id},
          {"unit_id", resident.unit_id},
          {"unit_label", resident.unit_label},
          {"first_name", resident.first_name},
          {"last_name", resident.last_name},
          {"email", resident.email},
          {"phone", text_or_null(resident.phone)},
          {"directory_listed", resident.directory_listed},
          {"moved_in_at", common::to_rfc3339(resident.moved_in_at)}};
}

nlohmann::json to_json(const DeviceReport& device) {
  return {{"id", device.id},
          {"platform", device.platform},
          {"voip_token_registered", device.voip_token_registered},
          {"bmx_app_installed", device.bmx_app_installed},
          {"registered_at", common::to_rfc3339(device.registered_at)},
          {"last_push_at", http::time_or_null(device.last_push_at)},
          {"last_push_outcome", text_or_null(device.last_push_outcome)}};
}

// ?q= (a name prefix), ?limit= and ?cursor= of the residents list.
ResidentQuery resident_query(const http::Request& request) {
  const auto page = http::page_request(request);
  ResidentQuery query{{page.limit, std::nullopt}, std::nullopt};
  using http::CursorPart;
  if (auto after =
          http::cursor_parts(page, {CursorPart::text, CursorPart::text, CursorPart::uuid})) {
    query.page.after = NameAndId{(*after)[0], (*after)[1], (*after)[2]};
  }
  if (auto q = request.query_param("q"); q && !q->empty()) {
    if (q->size() > 64 || !common::is_search_text(*q)) {
      throw common::ApiError::validation({{"q", "invalid", "Use at most 64 characters of text."}});
    }
    query.name_prefix = std::string(*q);
  }
  return query;
}

http::Response resident_page_response(const ResidentPage& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& resident : page.items) items.push_back(to_json(resident));
  std::optional<nlohmann::json> next;
  if (page.next) {
    next = nlohmann::json::array({page.next->last_name, page.next->first_name, page.next->id});
  }
  return http::page_response(std::move(items), next);
}

// POST /v1/properties/{pid}/residents: who moves into which unit.
MoveIn move_in(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto unit_id = fields.string("unit_id", true, 36, 36);
  if (unit_id && !http::is_uuid(*unit_id)) {
    fields.add_error("unit_id", "format", "Must be a unit id.");
  }
  auto first_name = fields.string("first_name", true, 1, 100);
  auto last_name = fields.string("last_name", true, 1, 100);
  auto email = fields.email("email", true);
  auto phone = fields.phone("phone", true);
  auto listed = fields.boolean("directory_listed", false);
  fields.finish();
  return {*unit_id, *first_name, *last_name, *email, *phone, listed.value_or(true)};
}

// PATCH /v1/me/directory: listed or not, a privacy name or none, or both.
DirectoryChange directory_change(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto listed = fields.boolean("listed", false);
  const bool change_name = fields.has("display_name");
  std::optional<std::string> display_name;
  if (change_name && !body["display_name"].is_null()) {
    display_name = fields.string("display_name", true, 1, 60);
  }
  if (!listed && !change_name) fields.add_error("", "empty", "Send listed, display_name or both.");
  auto property_id = fields.uuid("property_id", false);
  fields.finish();
  return {property_id, listed, change_name, display_name};
}

// POST /v1/me/devices. A token becomes part of a provider's URL or message:
// only its own shape passes.
Device new_device(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto platform = fields.one_of("platform", true, {"ios", "android"});
  auto push_token = fields.string("push_token", true, 8, 4096);
  auto voip_token = fields.string("voip_token", false, 8, 4096);
  auto bmx_app = fields.boolean("bmx_app_installed", false);
  const bool ios = platform == "ios";
  if (platform && push_token &&
      !(ios ? common::is_apns_token(*push_token) : common::is_fcm_token(*push_token))) {
    fields.add_error("push_token", "format",
                     ios ? "Must be the APNs device token in hex (64 to 200 characters)."
                         : "Must be the FCM registration token (letters, digits and -_:.).");
  }
  if (platform && voip_token && !ios) {
    fields.add_error("voip_token", "not_allowed",
                     "Android devices ring through their FCM token; send no voip_token.");
  } else if (voip_token && !common::is_apns_token(*voip_token)) {
    fields.add_error("voip_token", "format",
                     "Must be the PushKit VoIP token in hex (64 to 200 characters).");
  }
  fields.finish();
  return {*platform, *push_token, voip_token, bmx_app.value_or(false)};
}

}  // namespace

void add_routes(auth::Routes& routes, PeopleService& service,
                std::vector<DiagnosticsSection> diagnostics_sections) {
  routes.add("POST", "/v1/properties/{pid}/residents",
             {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               auto moved_in = to_json(service.move_in(actor, property_id, move_in(request)));
               moved_in["property_id"] = property_id;
               moved_in["invited"] = true;
               return http::json_response(201, moved_in);
             });

  routes.add("GET", "/v1/properties/{pid}/residents", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               return resident_page_response(
                   service.list_residents(actor, property_id, resident_query(request)));
             });

  routes.add("POST", "/v1/residents/{rid}/move-out", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto moved = service.move_out(actor, http::uuid_param(request, "rid"));
               return http::json_response(
                   200,
                   {{"id", moved.residency_id}, {"user_id", moved.user_id}, {"moved_out", true}});
             });

  routes.add("GET", "/v1/residents/{rid}/diagnostics", {.caller = auth::Caller::person},
             [&service, sections = std::move(diagnostics_sections)](http::Request& request,
                                                                    const auth::Principal& actor) {
               const auto report = service.diagnostics(actor, http::uuid_param(request, "rid"));
               nlohmann::json devices = nlohmann::json::array();
               for (const auto& device : report.devices) devices.push_back(to_json(device));
               nlohmann::json answer{{"resident", to_json(report.resident)}, {"devices", devices}};
               for (const auto& section : sections) answer[section.name] = section.read(report.who);
               return http::json_response(200, answer);
             });

  routes.add("PATCH", "/v1/me/directory", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto entry = service.update_directory_entry(actor, directory_change(request));
               return http::json_response(200,
                                          {{"listed", entry.listed},
                                           {"display_name", entry.display_name},
                                           {"custom_display_name", entry.custom_display_name}});
             });

  routes.add("POST", "/v1/me/devices", {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto device = service.register_device(actor, new_device(request));
               return http::json_response(201, {{"id", device.id},
                                                {"platform", device.platform},
                                                {"bmx_app_installed", device.bmx_app_installed},
                                                {"voip", device.voip}});
             });

  routes.add("DELETE", "/v1/me/devices/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               service.remove_device(actor, http::uuid_param(request, "id"));
               return http::Response::no_content();
             });
}

}  // namespace frontdoor::people
