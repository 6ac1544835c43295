#include "frontdoor/http/idempotency.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/problem.hpp"
#include "idempotency/store.hpp"

namespace frontdoor::http {
namespace {

constexpr std::size_t kMaxKeyLength = 255;

bool is_valid_key(std::string_view key) {
  return !key.empty() && key.size() <= kMaxKeyLength &&
         std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// The answer as it is kept for replays: secrets shown once are null there.
std::string kept_body(const Response& response, const std::vector<std::string>& shown_once) {
  if (shown_once.empty() || response.status >= 300) return response.body;
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return response.body;
  for (const auto& field : shown_once) {
    if (body.contains(field)) body[field] = nullptr;
  }
  return body.dump();
}

}  // namespace

Idempotency::Idempotency(db::Pool& pool, std::chrono::milliseconds deadline)
    : pool_(pool), deadline_(deadline) {
  idempotency_store::prepare(pool_);
}

long long Idempotency::sweep(std::chrono::seconds retention) {
  // Never before the 24 hours a key replays for.
  return idempotency_store::sweep(pool_, std::max(retention, std::chrono::seconds(24 * 3600)));
}

void Idempotency::forget(pqxx::work& tx, const std::string& scope) const {
  idempotency_store::forget(tx, scope);
}

Response Idempotency::run(const std::string& scope, const std::string& route_pattern,
                          Request& request, const std::function<Response()>& create,
                          const std::vector<std::string>& shown_once) const {
  const auto header = request.header("idempotency-key");
  if (!header) return create();
  if (!is_valid_key(*header)) {
    throw common::ApiError::bad_request(
        "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  }
  const std::string key(*header);
  const std::string request_hash =
      common::sha256_hex(request.method + " " + route_pattern + "\n" + request.body);

  const bool claimed = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return idempotency_store::claim(tx, scope, key, request_hash, deadline_);
  });
  if (!claimed) {
    const auto kept = pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return idempotency_store::find(tx, scope, key);
    });
    if (!kept || kept->request_hash != request_hash) {
      throw common::ApiError::unprocessable(
          "idempotency_key_reused", "This Idempotency-Key was used for a different request.");
    }
    if (!kept->status) {
      throw common::ApiError::conflict("idempotency_key_in_use",
                                       "The first request with this key is still running.");
    }
    Response replay;
    replay.status = *kept->status;
    replay.content_type = kept->content_type.value_or("application/json");
    replay.body = kept->response_body.value_or("");
    replay.set_header("Idempotent-Replayed", "true");
    return replay;
  }

  Response response;
  try {
    response = create();
  } catch (...) {
    response = response_for_exception(std::current_exception(), request);
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    if (response.status >= 500) {
      // Nothing was decided: let a retry run again.
      idempotency_store::release(tx, scope, key);
    } else {
      idempotency_store::store(tx, scope, key, response.status, response.content_type,
                               kept_body(response, shown_once));
    }
    return 0;
  });
  return response;
}

}  // namespace frontdoor::http
