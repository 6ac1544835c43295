#pragma once

#include <boost/asio/awaitable.hpp>

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/db/async.hpp"

namespace frontdoor::auth {

// require_panel for routes on the I/O thread: the cache first, then the
// asynchronous database; 401 or 403 as the blocking one answers.
boost::asio::awaitable<Principal> require_panel(const Authenticator& authenticator,
                                                db::AsyncDatabase& database,
                                                const http::Request& request);

// Lets the I/O threads' connections look panel keys up (call once at start-up).
void use_panel_keys_on(db::AsyncDatabase& database);

}  // namespace frontdoor::auth
