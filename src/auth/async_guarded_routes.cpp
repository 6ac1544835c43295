#include "frontdoor/auth/async_guarded_routes.hpp"

#include <stdexcept>

#include "frontdoor/auth/async_panel.hpp"
#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/http/async_route.hpp"

namespace frontdoor::auth {

void add_async(Routes& routes, std::string method, std::string pattern, Caller caller,
               AsyncGuardedHandler handler) {
  if (caller == Caller::person) {
    throw std::logic_error("roles are read with a blocking statement; use person_token: " +
                           pattern);
  }
  http::add_async(
      routes.router(), std::move(method), std::move(pattern),
      [&routes, caller, handler = std::move(handler)](
          http::Request& request) -> boost::asio::awaitable<http::Response> {
        if (caller == Caller::panel) {
          const auto panel =
              co_await require_panel(routes.authenticator(), routes.reads(), request);
          co_return co_await handler(request, panel);
        }
        // A panel key on a person's route: looked up without blocking,
        // then refused as the blocking routes refuse it (401 unknown, 403).
        if (caller == Caller::person_token && routes.authenticator().carries_panel_key(request)) {
          co_await require_panel(routes.authenticator(), routes.reads(), request);
          throw common::ApiError::forbidden(kPanelsMayNot);
        }
        co_return co_await handler(request, routes.authenticate(request, caller));
      });
}

}  // namespace frontdoor::auth
