#include "frontdoor/auth/async_panel.hpp"

#include "store.hpp"

namespace frontdoor::auth {

boost::asio::awaitable<Principal> require_panel(const Authenticator& authenticator,
                                                db::AsyncDatabase& database,
                                                const http::Request& request) {
  const auto hash = authenticator.panel_key_hash(request);
  if (auto cached = authenticator.cached_panel(hash)) co_return *cached;
  const auto found = co_await store::panel_by_key(database, hash);
  if (!found) Authenticator::refuse_credentials();
  co_return authenticator.remember_panel(hash, found->panel_id, found->property_id);
}

void use_panel_keys_on(db::AsyncDatabase& database) { store::use_on_the_io_threads(database); }

}  // namespace frontdoor::auth
