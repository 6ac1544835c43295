#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/http/message.hpp"

namespace frontdoor::http {

using Handler = std::function<Response(Request&)>;

// Whether a handler may wait (on the database, BMX, a lock held across I/O).
// Handlers that never wait run on the I/O thread that read the request: no hand-off
// to a worker and back, which for a route like /healthz is most of its cost.
// Asynchronous handlers (async_route.hpp) also run there, as coroutines that
// await the asynchronous database instead of blocking.
enum class Blocking { may_wait, never, asynchronous };

struct AsyncRoute;

struct Route {
  std::string method;
  std::string pattern;  // "/v1/calls/{id}"
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  int literal_segments = 0;
  Blocking blocking = Blocking::may_wait;
  std::shared_ptr<const AsyncRoute> async;  // set for Blocking::asynchronous
};

struct RouteMatch {
  enum class Kind { found, not_found, method_not_allowed };
  Kind kind = Kind::not_found;
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> allowed_methods;  // for 405
};

// Method + path template routing. When several templates match a path, the one
// with the most literal segments wins ("/v1/me/visitors" over "/v1/{x}/visitors").
class Router {
 public:
  // Throws std::logic_error on a malformed or duplicate template.
  void add(std::string method, std::string pattern, Handler handler,
           Blocking blocking = Blocking::may_wait);
  // A route answered by a coroutine on the I/O thread (see async_route.hpp).
  void add(std::string method, std::string pattern, std::shared_ptr<const AsyncRoute> route);
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace frontdoor::http
