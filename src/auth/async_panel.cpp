#include "frontdoor/auth/async_panel.hpp"

namespace frontdoor::auth {

boost::asio::awaitable<Principal> require_panel(const Authenticator& authenticator,
                                                db::AsyncDatabase& database,
                                                const http::Request& request) {
  const auto hash = authenticator.panel_key_hash(request);
  if (auto cached = authenticator.cached_panel(hash)) co_return *cached;
  const auto found = co_await database.run("auth_panel_by_key", hash);
  if (found.empty()) Authenticator::refuse_credentials();
  co_return authenticator.remember_panel(hash, found[0][0].as<std::string>(),
                                         found[0][1].as<std::string>());
}

}  // namespace frontdoor::auth
