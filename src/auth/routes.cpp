#include "frontdoor/auth/routes.hpp"

#include "frontdoor/auth/passwords.hpp"
#include "frontdoor/http/json.hpp"

namespace frontdoor::auth {

void add_routes(http::Router& router, AuthService& service, const Authenticator& authenticator) {
  router.add("POST", "/v1/auth/login", [&service](http::Request& request) {
    const auto body = http::parse_json_body(request);
    http::JsonFields fields(body);
    auto email = fields.string("email", true, 3, 254);
    auto password =
        fields.string("password", true, 1, kMaxPasswordLength, common::TextKind::secret);
    fields.finish();
    return http::json_response(200,
                               service.login(*email, *password, request.remote_address).to_json());
  });

  router.add("POST", "/v1/auth/refresh", [&service](http::Request& request) {
    const auto body = http::parse_json_body(request);
    http::JsonFields fields(body);
    auto token = fields.string("refresh_token", true, 1, 256);
    fields.finish();
    return http::json_response(200, service.refresh(*token).to_json());
  });

  router.add("POST", "/v1/auth/activate", [&service](http::Request& request) {
    const auto body = http::parse_json_body(request);
    http::JsonFields fields(body);
    auto token = fields.string("token", true, 1, 256);
    auto password =
        fields.string("password", true, 1, kMaxPasswordLength, common::TextKind::secret);
    fields.finish();
    return http::json_response(200, service.activate(*token, *password).to_json());
  });

  // me() reads the roles itself, with the rest of the profile.
  router.add("GET", "/v1/me", [&service, &authenticator](http::Request& request) {
    const auto principal = authenticator.require_person(request);
    return http::json_response(200, service.me(principal.user_id));
  });
}

}  // namespace frontdoor::auth
