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
  // The caller is known before an Idempotency-Key is looked at: keys are scoped
  // to them, and an unauthenticated retry claims nothing.
  http::Handler guarded = [this, caller = needs.caller, idempotent = needs.idempotent, pattern,
                           shown_once = std::move(needs.shown_once),
                           handler = std::move(handler)](http::Request& request) {
    const auto principal = authenticate(request, caller);
    if (!idempotent) return handler(request, principal);
    return idempotency_.run(
        principal.actor(), pattern, request, [&] { return handler(request, principal); },
        shown_once);
  };
  router_.add(std::move(method), std::move(pattern), std::move(guarded), needs.blocking);
}

}  // namespace frontdoor::auth
