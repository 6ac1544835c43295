#pragma once

#include <boost/asio/awaitable.hpp>

#include "frontdoor/http/message.hpp"
#include "frontdoor/http/metrics.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::http {

// Everything between the wire and a handler: request id, target parsing,
// routing (404/405), the problem mapping for exceptions, metrics, access log.
class Dispatcher {
 public:
  Dispatcher(const Router& router, Metrics& metrics);

  // Never throws.
  Response handle(Request& request);
  // True when handle() will not wait on anything: the route never blocks, or the
  // answer is a routing error (400, 404, 405). Routes the request as a side effect.
  bool never_blocks(Request& request) const;
  // True when the request's route answers with a coroutine on the I/O thread
  // (after never_blocks said no). Routes the request as a side effect.
  bool is_async(Request& request) const;
  // Runs an asynchronous route's handler; never throws, like handle().
  boost::asio::awaitable<Response> handle_async(Request& request);
  // The answer to a request the server refused before routing (400, 408, 413, 431).
  Response reject(Request& request, int status);

 private:
  // Sets request.path, query, path_params and route; throws ApiError 400, 404 or 405.
  void route(Request& request) const;
  void finish(const Request& request, const std::string& route, const Response& response);

  const Router& router_;
  Metrics& metrics_;
};

// The X-Request-Id to use: the client's if it is 1-128 of [A-Za-z0-9._-], else a new one.
std::string choose_request_id(const Request& request);

// Splits a request target into decoded path and query. Throws ApiError 400
// `invalid_target` for anything that is not a well-formed origin-form target.
void parse_target(Request& request);

}  // namespace frontdoor::http
