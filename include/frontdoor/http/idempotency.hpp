#pragma once

#include <chrono>
#include <functional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/http/router.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::http {

// Creates accept an Idempotency-Key header (docs/api.md): the same key with the
// same body returns the first response; the same key with another body is 422
// idempotency_key_reused; a retry while the first is still running is 409
// idempotency_key_in_use. Keys are scoped to the caller and kept for 24 hours.
// Responses that are 5xx are not kept, so the client may retry them.
class Idempotency {
 public:
  // `deadline`: how long a first request may run; after it, its key is the
  // retry's to take (the instance that ran it died).
  Idempotency(db::Pool& pool, std::chrono::milliseconds deadline);

  // Runs `create` for a request to `route_pattern`, or replays its first answer.
  // `scope` names the caller ("user:<id>"), who was authenticated before: the
  // route registration (auth::Routes) knows who it is and passes it on.
  // The kept answer has null in place of each `shown_once` field (secrets are
  // shown once, and never stored in clear).
  Response run(const std::string& scope, const std::string& route_pattern, Request& request,
               const std::function<Response()>& create,
               const std::vector<std::string>& shown_once = {}) const;
  // Drops every answer kept for this caller, in the caller's transaction: after a
  // move-out a replay must not hand back what a resident could do before it.
  void forget(pqxx::work& tx, const std::string& scope) const;
  // Deletes keys older than `retention` (they replay for 24 hours); returns how many.
  long long sweep(std::chrono::seconds retention);

 private:
  db::Pool& pool_;
  std::chrono::milliseconds deadline_;
};

}  // namespace frontdoor::http
