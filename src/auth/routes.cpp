#include "frontdoor/auth/routes.hpp"

#include "frontdoor/auth/passwords.hpp"
#include "frontdoor/http/json.hpp"

namespace frontdoor::auth {
namespace {

nlohmann::json to_json(const TokenPair& tokens) {
  return {{"access_token", tokens.access_token},
          {"token_type", "Bearer"},
          {"expires_in", tokens.expires_in.count()},
          {"refresh_token", tokens.refresh_token}};
}

nlohmann::json to_json(const Profile& profile) {
  nlohmann::json roles = nlohmann::json::array();
  for (const auto& held : profile.roles) {
    roles.push_back({{"role", to_string(held.role)},
                     {"property_id", held.property_id.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(held.property_id)}});
  }
  return {{"id", profile.id},
          {"email", profile.email},
          {"phone", http::text_or_null(profile.phone)},
          {"display_name", profile.display_name},
          {"roles", roles}};
}

}  // namespace

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
                   200, to_json(service.login(*email, *password, request.remote_address)));
             });

  routes.add("POST", "/v1/auth/refresh", {.caller = Caller::anonymous},
             [&service](http::Request& request, const Principal&) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto token = fields.string("refresh_token", true, 1, 256);
               fields.finish();
               return http::json_response(200, to_json(service.refresh(*token)));
             });

  routes.add("POST", "/v1/auth/activate", {.caller = Caller::anonymous},
             [&service](http::Request& request, const Principal&) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto token = fields.string("token", true, 1, 256);
               auto password =
                   fields.string("password", true, 1, kMaxPasswordLength, common::TextKind::secret);
               fields.finish();
               return http::json_response(200, to_json(service.activate(*token, *password)));
             });

  // me() reads the roles itself, with the rest of the profile.
  routes.add("GET", "/v1/me", {.caller = Caller::person_token},
             [&service](http::Request&, const Principal& principal) {
               return http::json_response(200, to_json(service.me(principal.user_id)));
             });
}

}  // namespace frontdoor::auth
