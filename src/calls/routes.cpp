#include "frontdoor/calls/routes.hpp"

#include "frontdoor/calls/service.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::calls {

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
               return http::json_response(201, calls.start_from_panel(panel, *entry));
             });
  routes.add("GET", "/v1/panel/calls/{id}", {.caller = auth::Caller::panel},
             [&](http::Request& request, const auth::Principal& panel) {
               return http::json_response(200,
                                          calls.panel_view(panel, http::uuid_param(request, "id")));
             });
  routes.add("POST", "/v1/panel/calls/{id}/cancel", {.caller = auth::Caller::panel},
             [&](http::Request& request, const auth::Principal& panel) {
               return http::json_response(200,
                                          calls.cancel(panel, http::uuid_param(request, "id")));
             });

  // The resident. Each statement checks that the caller lives at the call's
  // property now, so the person's identity is all these routes need.
  routes.add("GET", "/v1/me/calls", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return calls.list_mine(actor, http::page_request(request));
             });
  routes.add("GET", "/v1/calls/{id}", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(200, calls.get(actor, http::uuid_param(request, "id")));
             });
  routes.add("POST", "/v1/calls/{id}/accept", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto call_id = http::uuid_param(request, "id");
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto device = fields.string("device_id", true, 36, 36);
               if (device && !http::is_uuid(*device)) {
                 fields.add_error("device_id", "format", "Must be the id of a registered device.");
               }
               auto media = fields.one_of("media", true, {"audio", "video"});
               fields.finish();
               return http::json_response(200, calls.accept(actor, call_id, *device, *media));
             });
  routes.add("POST", "/v1/calls/{id}/deny", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(200, calls.deny(actor, http::uuid_param(request, "id")));
             });
  routes.add("POST", "/v1/calls/{id}/open-door", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(200,
                                          calls.open_door(actor, http::uuid_param(request, "id")));
             });
  routes.add("POST", "/v1/calls/{id}/hangup", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(200,
                                          calls.hangup(actor, http::uuid_param(request, "id")));
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
               return http::json_response(200, calls.media(actor, call_id, audio, video));
             });
}

}  // namespace frontdoor::calls
