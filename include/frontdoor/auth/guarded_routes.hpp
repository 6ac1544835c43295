#pragma once

#include <functional>
#include <string>

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::db {
class AsyncDatabase;
}
namespace frontdoor::http {
class Idempotency;
}

namespace frontdoor::auth {

class Authenticator;

// Who may call a route. The caller is checked before the handler runs (401
// without a credential or with a bad one, 403 for the wrong kind), and the
// handler receives the Principal instead of fetching it.
enum class Caller {
  // Anyone: sign-in, the pass page, BMX's webhook (its secret is in the path).
  anonymous,
  // A person, with their current roles (read from the database on each request).
  person,
  // A person known by their access token alone, without the database: for routes
  // whose statements are scoped to the caller's own rows and check any residency
  // themselves.
  person_token,
  // A panel key.
  panel,
};

// What a route needs, declared where it is registered.
struct Needs {
  Caller caller = Caller::person;
  // A create that a retry with the same Idempotency-Key must not repeat
  // (docs/api.md). Not sign-ins: their whole answer is a secret.
  bool idempotent = false;
  // Whether the handler may wait; one that never does runs on the I/O thread.
  http::Blocking blocking = http::Blocking::may_wait;
  // Top-level answer fields that are secrets shown once (a webhook's signing
  // secret, a panel key): the answer kept for an Idempotency-Key holds null in
  // their place, so a replay says what was created without showing them again.
  std::vector<std::string> shown_once = {};
};

using GuardedHandler = std::function<http::Response(http::Request&, const Principal&)>;

// The routes of every module are registered here, each with its Needs.
class Routes {
 public:
  Routes(http::Router& router, const Authenticator& authenticator,
         const http::Idempotency& idempotency, db::AsyncDatabase& reads);

  void add(std::string method, std::string pattern, Needs needs, GuardedHandler handler);

  // The caller as a route of that kind needs it; Principal{} for anonymous.
  Principal authenticate(const http::Request& request, Caller caller) const;

  const Authenticator& authenticator() const { return authenticator_; }
  db::AsyncDatabase& reads() const { return reads_; }
  http::Router& router() { return router_; }

 private:
  http::Router& router_;
  const Authenticator& authenticator_;
  const http::Idempotency& idempotency_;
  db::AsyncDatabase& reads_;
};

}  // namespace frontdoor::auth
