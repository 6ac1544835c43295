#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "frontdoor/http/message.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::http {

// A handler that runs on the I/O thread that read the request, as a coroutine:
// it may co_await the asynchronous database (db::AsyncDatabase) and nothing that
// blocks. Only the files that register or run such routes include this header.
using AsyncHandler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct AsyncRoute {
  AsyncHandler handler;
};

void add_async(Router& router, std::string method, std::string pattern, AsyncHandler handler);

}  // namespace frontdoor::http
