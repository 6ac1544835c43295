#include "frontdoor/calls/routes.hpp"

#include "frontdoor/calls/rules.hpp"
#include "frontdoor/calls/service.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::calls {
namespace {

using http::name_of;
using http::text_or_null;
using http::time_or_null;
using http::value_or_null;

// A call as the resident's app reads it (docs/api.md, "Directory and calls").
nlohmann::json to_json(const Call& call) {
  nlohmann::json json = {{"id", call.id},
                         {"state", to_string(call.state)},
                         {"panel_message", rules::panel_message(call)},
                         {"origin", name_of(call.origin)},
                         {"callee_type", call.unit_id ? "unit" : "resident"},
                         {"forwarded_to", value_or_null(call.forwarded_to)},
                         {"routed_to", name_of(call.routed_to)},
                         {"video_offered", call.video_offered},
                         {"callee_label", call.callee_label},
                         {"panel_name", text_or_null(call.panel_name)},
                         {"created_at", common::to_rfc3339(call.created_at)},
                         {"ring_deadline", common::to_rfc3339(call.ring_deadline)},
                         {"answered_at", time_or_null(call.answered_at)},
                         {"ended_at", time_or_null(call.ended_at)},
                         {"media", text_or_null(call.media)},
                         {"audio", value_or_null(call.audio_on)},
                         {"video", value_or_null(call.video_on)},
                         {"accepted_device_id", text_or_null(call.accepted_device_id)}};
  // Phone Calls in BMX: BMX rings the phone number, the app only learns why.
  if (call.routed_to == RoutedTo::phone) json["routing_reason"] = rules::phone_routing_reason();
  return json;
}

// What the panel sees of its call: no more than its screen shows.
nlohmann::json panel_json(const Call& call) {
  return {{"call_id", call.id},
          {"state", to_string(call.state)},
          {"panel_message", rules::panel_message(call)}};
}

http::Response call_page_response(const CallPage& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& call : page.items) items.push_back(to_json(call));
  return http::page_response(std::move(items), http::next_position(page.next));
}

// POST /v1/calls/{id}/accept: the device that answers, and with audio or video.
std::pair<std::string, std::string> answer_with(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto device = fields.string("device_id", true, 36, 36);
  if (device && !http::is_uuid(*device)) {
    fields.add_error("device_id", "format", "Must be the id of a registered device.");
  }
  auto media = fields.one_of("media", true, {"audio", "video"});
  fields.finish();
  return {*device, *media};
}

}  // namespace

void add_routes(auth::Routes& routes, CallsService& calls) {
  // The panel.
  routes.add("POST", "/v1/panel/calls", {.caller = auth::Caller::panel},
             [&](http::Request& request, const auth::Principal& panel) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto entry = fields.string("entry_id", true, 36, 36);
               if (entry && !http::is_uuid(*entry)) {
                 fields.add_error("entry_id", "format", "Must be an entry_id from the directory.");
               }
               fields.finish();
               return http::json_response(201, panel_json(calls.start_from_panel(panel, *entry)));
             });
  routes.add("GET", "/v1/panel/calls/{id}", {.caller = auth::Caller::panel},
             [&](http::Request& request, const auth::Principal& panel) {
               return http::json_response(
                   200, panel_json(calls.panel_view(panel, http::uuid_param(request, "id"))));
             });
  routes.add("POST", "/v1/panel/calls/{id}/cancel", {.caller = auth::Caller::panel},
             [&](http::Request& request, const auth::Principal& panel) {
               return http::json_response(
                   200, panel_json(calls.cancel(panel, http::uuid_param(request, "id"))));
             });

  // Everyone the call rang: its resident or the unit's residents, and the front
  // desk once it was forwarded there. Each statement checks that the caller is in
  // the call's group and still lives (or works) at its property, so the person's
  // identity is all these routes need.
  routes.add("GET", "/v1/me/calls", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return call_page_response(calls.list_mine(actor, http::newest_first_query(request)));
             });
  routes.add("GET", "/v1/calls/{id}", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(calls.get(actor, http::uuid_param(request, "id"))));
             });
  routes.add("POST", "/v1/calls/{id}/accept", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto call_id = http::uuid_param(request, "id");
               const auto [device, media] = answer_with(request);
               const auto accepted = calls.accept(actor, call_id, device, media);
               auto answer = to_json(accepted.call);
               answer["session"] = {{"provider", accepted.session.provider},
                                    {"bmx_call_id", value_or_null(accepted.session.bmx_call_id)},
                                    {"call_id", accepted.session.call_id}};
               return http::json_response(200, answer);
             });
  routes.add("POST", "/v1/calls/{id}/deny", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(calls.deny(actor, http::uuid_param(request, "id"))));
             });
  routes.add("POST", "/v1/calls/{id}/open-door", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(calls.open_door(actor, http::uuid_param(request, "id"))));
             });
  routes.add("POST", "/v1/calls/{id}/hangup", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(calls.hangup(actor, http::uuid_param(request, "id"))));
             });
  routes.add("POST", "/v1/calls/{id}/media", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto call_id = http::uuid_param(request, "id");
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto audio = fields.boolean("audio", false);
               auto video = fields.boolean("video", false);
               if (!audio && !video) fields.add_error("", "empty", "Send audio, video or both.");
               fields.finish();
               return http::json_response(200, to_json(calls.media(actor, call_id, audio, video)));
             });
}

}  // namespace frontdoor::calls
