#include "frontdoor/auth/routes.hpp"

#include "frontdoor/auth/passwords.hpp"
#include "frontdoor/http/json.hpp"

namespace frontdoor::auth {

void add_routes(Routes& routes, AuthService& service) {
  routes.add("POST", "/v1/auth/login", {.caller = Caller::anonymous},
             [&service](http::Request& request, const Principal&) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto email = fields.string("email", true, 3, 254);
               auto password =
                   fields.string("password", true, 1, kMaxPasswordLength, common::TextKind::secret);
               fields.finish();
               return http::json_response(
                   200, service.login(*email, *password, request.remote_address).to_json());
             });

  routes.add("POST", "/v1/auth/refresh", {.caller = Caller::anonymous},
             [&service](http::Request& request, const Principal&) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto token = fields.string("refresh_token", true, 1, 256);
               fields.finish();
               return http::json_response(200, service.refresh(*token).to_json());
             });

  routes.add("POST", "/v1/auth/activate", {.caller = Caller::anonymous},
             [&service](http::Request& request, const Principal&) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto token = fields.string("token", true, 1, 256);
               auto password =
                   fields.string("password", true, 1, kMaxPasswordLength, common::TextKind::secret);
               fields.finish();
               return http::json_response(200, service.activate(*token, *password).to_json());
             });

  // me() reads the roles itself, with the rest of the profile.
  routes.add("GET", "/v1/me", {.caller = Caller::person_token},
             [&service](http::Request&, const Principal& principal) {
               return http::json_response(200, service.me(principal.user_id));
             });
}

}  // namespace frontdoor::auth
