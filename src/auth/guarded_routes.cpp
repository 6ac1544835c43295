#include "frontdoor/auth/guarded_routes.hpp"

#include <stdexcept>

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/http/idempotency.hpp"

namespace frontdoor::auth {

Routes::Routes(http::Router& router, const Authenticator& authenticator,
               const http::Idempotency& idempotency, db::AsyncDatabase& reads)
    : router_(router), authenticator_(authenticator), idempotency_(idempotency), reads_(reads) {}

Principal Routes::authenticate(const http::Request& request, Caller caller) const {
  switch (caller) {
    case Caller::anonymous:
      return Principal{};
    case Caller::person:
      return authenticator_.require_user(request);
    case Caller::person_token:
      return authenticator_.require_person(request);
    case Caller::panel:
      return authenticator_.require_panel(request);
  }
  throw std::logic_error("unknown caller kind");
}

void Routes::add(std::string method, std::string pattern, Needs needs, GuardedHandler handler) {
  if (needs.idempotent && needs.caller == Caller::anonymous) {
    throw std::logic_error("an idempotent route needs a caller to scope its keys: " + pattern);
  }
  http::Handler guarded = [this, caller = needs.caller,
                           handler = std::move(handler)](http::Request& request) {
    return handler(request, authenticate(request, caller));
  };
  if (needs.idempotent) guarded = idempotency_.wrap(pattern, std::move(guarded));
  router_.add(std::move(method), std::move(pattern), std::move(guarded), needs.blocking);
}

}  // namespace frontdoor::auth
