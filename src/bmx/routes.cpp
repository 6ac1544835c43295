#include "frontdoor/bmx/routes.hpp"

#include <algorithm>
#include <cctype>

#include "frontdoor/bmx/service.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::bmx {

void add_routes(auth::Routes& routes, BmxService& service) {
  routes.add("PUT", "/v1/properties/{pid}/integrations/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto building_id = fields.integer("building_id", true, 1, 999999999999);
               auto code = fields.string("authorization_code", true, 1, 512);
               fields.finish();
               return http::json_response(200,
                                          service.set_up(actor, property_id, *building_id, *code));
             });

  routes.add("GET", "/v1/properties/{pid}/integrations/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, service.integration(actor, http::uuid_param(request, "pid")));
             });

  routes.add("POST", "/v1/properties/{pid}/integrations/bmx/requests",
             {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               // The body is optional: the request itself is the message.
               std::optional<std::string> building_name, note;
               if (!request.body.empty()) {
                 const auto body = http::parse_json_body(request);
                 http::JsonFields fields(body);
                 building_name = fields.string("building_name", false, 1, 200);
                 note = fields.string("note", false, 1, 2000, common::TextKind::multi_line);
                 fields.finish();
               }
               return http::json_response(
                   201, service.request_set_up(actor, property_id, building_name, note));
             });

  routes.add(
      "GET", "/v1/properties/{pid}/integrations/bmx/health", {.caller = auth::Caller::person},
      [&](http::Request& request, const auth::Principal& actor) {
        return http::json_response(200, service.health(actor, http::uuid_param(request, "pid")));
      });

  routes.add("GET", "/v1/me/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, service.link_status(actor, http::uuid_query(request, "property_id")));
             });

  routes.add("POST", "/v1/me/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto code = fields.string("code", true, 1, 512);
               auto state = fields.string("state", true, 1, 128);
               fields.finish();
               return http::json_response(200, service.link(actor, *code, *state));
             });

  routes.add("DELETE", "/v1/me/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               service.unlink(actor, http::uuid_query(request, "property_id"));
               return http::Response::no_content();
             });

  // BMX signs nothing: the unguessable secret in the path is the credential.
  routes.add("POST", "/v1/webhooks/bmx/{secret}", {.caller = auth::Caller::anonymous},
             [&](http::Request& request, const auth::Principal&) {
               const std::string secret(request.param("secret"));
               const bool well_formed =
                   secret.size() == 64 &&
                   std::all_of(secret.begin(), secret.end(),
                               [](unsigned char c) { return std::isxdigit(c) != 0; });
               if (!well_formed) throw common::ApiError::not_found();
               // Who is calling first; the body only for the one who knows the secret.
               const auto property_id = service.webhook_property(secret);
               if (!property_id) throw common::ApiError::not_found();
               const auto body = http::parse_json_body(request);
               const auto outcome = service.receive_webhook(*property_id, body);
               return http::json_response(200, {{"received", outcome}});
             });
}

}  // namespace frontdoor::bmx
