#include "frontdoor/http/async_route.hpp"

#include <memory>

namespace frontdoor::http {

void add_async(Router& router, std::string method, std::string pattern, AsyncHandler handler) {
  router.add(std::move(method), std::move(pattern),
             std::make_shared<const AsyncRoute>(AsyncRoute{std::move(handler)}));
}

}  // namespace frontdoor::http
