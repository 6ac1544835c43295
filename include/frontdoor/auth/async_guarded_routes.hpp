#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::auth {

// A route answered by a coroutine on the I/O thread (http/async_route.hpp), with
// its caller checked first: a panel through the cache and the asynchronous
// database, a person by their access token. Caller::person (roles read with a
// blocking statement) is refused at registration.
using AsyncGuardedHandler =
    std::function<boost::asio::awaitable<http::Response>(http::Request&, const Principal&)>;

void add_async(Routes& routes, std::string method, std::string pattern, Caller caller,
               AsyncGuardedHandler handler);

}  // namespace frontdoor::auth
