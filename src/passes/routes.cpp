#include "frontdoor/db/async.hpp"
#include "frontdoor/http/async_route.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/passes/page.hpp"
#include "frontdoor/passes/service.hpp"

namespace frontdoor::passes {

void add_routes(http::Router& router, PassesService& passes, PassPages& pages,
                const auth::Authenticator& authenticator) {
  router.add("GET", "/v1/me/credentials", [&](http::Request& request) {
    return http::json_response(200, passes.credentials(authenticator.require_person(request)));
  });
  // The pass page: the token in the path is the only credential. One statement,
  // read on the I/O thread.
  http::add_async(router, "GET", "/p/{token}",
                  [&](http::Request& request) -> boost::asio::awaitable<http::Response> {
                    co_return render_pass_page(co_await pages.view(
                        std::string(request.param("token")), request.remote_address));
                  });
  http::add_async(router, "GET", "/p/{token}/qr.svg",
                  [&](http::Request& request) -> boost::asio::awaitable<http::Response> {
                    auto svg = co_await pages.qr(std::string(request.param("token")));
                    if (!svg) co_return http::Response::text(404, "not found\n");
                    co_return http::Response::text(200, std::move(*svg), "image/svg+xml");
                  });
}

}  // namespace frontdoor::passes
