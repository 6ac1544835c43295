#include "frontdoor/http/json.hpp"
#include "frontdoor/passes/service.hpp"

namespace frontdoor::passes {

void add_routes(http::Router& router, PassesService& passes,
                const auth::Authenticator& authenticator) {
  router.add("GET", "/v1/me/credentials", [&](http::Request& request) {
    return http::json_response(200, passes.credentials(authenticator.require_user(request)));
  });
  // The pass page: the token in the path is the only credential.
  router.add("GET", "/p/{token}", [&](http::Request& request) {
    return passes.page(std::string(request.param("token")), request.remote_address);
  });
  router.add("GET", "/p/{token}/qr.svg", [&](http::Request& request) {
    return passes.qr(std::string(request.param("token")));
  });
}

}  // namespace frontdoor::passes
