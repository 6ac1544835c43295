#include "frontdoor/people/routes.hpp"

#include "frontdoor/common/contact.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/people/service.hpp"

namespace frontdoor::people {

void add_routes(auth::Routes& routes, PeopleService& service) {
  routes.add("POST", "/v1/properties/{pid}/residents",
             {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
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
               MoveIn resident{*unit_id, *first_name, *last_name,
                               *email,   *phone,      listed.value_or(true)};
               return http::json_response(201, service.move_in(actor, property_id, resident));
             });

  routes.add("GET", "/v1/properties/{pid}/residents", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto page = http::page_request(request);
               std::optional<std::string> prefix;
               if (auto q = request.query_param("q"); q && !q->empty()) {
                 if (q->size() > 64 || !common::is_search_text(*q)) {
                   throw common::ApiError::validation(
                       {{"q", "invalid", "Use at most 64 characters of text."}});
                 }
                 prefix = std::string(*q);
               }
               return service.list_residents(actor, property_id, prefix, page);
             });

  routes.add("POST", "/v1/residents/{rid}/move-out", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, service.move_out(actor, http::uuid_param(request, "rid")));
             });

  routes.add("GET", "/v1/residents/{rid}/diagnostics", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, service.diagnostics(actor, http::uuid_param(request, "rid")));
             });

  routes.add("PATCH", "/v1/me/directory", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto listed = fields.boolean("listed", false);
               const bool change_name = fields.has("display_name");
               std::optional<std::string> display_name;
               if (change_name && !body["display_name"].is_null()) {
                 display_name = fields.string("display_name", true, 1, 60);
               }
               if (!listed && !change_name) {
                 fields.add_error("", "empty", "Send listed, display_name or both.");
               }
               auto property_id = fields.uuid("property_id", false);
               fields.finish();
               return http::json_response(
                   200, service.update_directory_entry(actor, property_id, listed, change_name,
                                                       display_name));
             });

  routes.add(
      "POST", "/v1/me/devices", {.caller = auth::Caller::person, .idempotent = true},
      [&](http::Request& request, const auth::Principal& actor) {
        const auto body = http::parse_json_body(request);
        http::JsonFields fields(body);
        auto platform = fields.one_of("platform", true, {"ios", "android"});
        auto push_token = fields.string("push_token", true, 8, 4096);
        auto voip_token = fields.string("voip_token", false, 8, 4096);
        auto bmx_app = fields.boolean("bmx_app_installed", false);
        // A token becomes part of a provider's URL or message: only its own shape passes.
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
        return http::json_response(
            201, service.register_device(
                     actor, {*platform, *push_token, voip_token, bmx_app.value_or(false)}));
      });

  routes.add("DELETE", "/v1/me/devices/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               service.remove_device(actor, http::uuid_param(request, "id"));
               return http::Response::no_content();
             });
}

}  // namespace frontdoor::people
