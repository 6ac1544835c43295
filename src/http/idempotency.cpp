#include "frontdoor/http/idempotency.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/problem.hpp"

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
  // Claims the key until the request's deadline ($4 ms). Taken over: a key older
  // than 24 h, and the same request still "running" past its deadline (the
  // instance that ran it died; its transaction, if any, rolled back with it).
  pool_.prepare("idempotency_claim",
                "INSERT INTO idempotency_keys AS k (scope, key, request_hash, running_until) "
                "VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond') "
                "ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, "
                "status = NULL, content_type = NULL, response_body = NULL, created_at = now(), "
                "running_until = EXCLUDED.running_until "
                "WHERE k.created_at < now() - interval '24 hours' OR (k.status IS NULL AND "
                "k.request_hash = EXCLUDED.request_hash AND k.running_until < now()) RETURNING 1");
  pool_.prepare("idempotency_find",
                "SELECT request_hash, status, content_type, response_body FROM idempotency_keys "
                "WHERE scope = $1 AND key = $2");
  pool_.prepare("idempotency_store",
                "UPDATE idempotency_keys SET status = $3, content_type = $4, response_body = $5, "
                "running_until = NULL WHERE scope = $1 AND key = $2");
  pool_.prepare("idempotency_forget", "DELETE FROM idempotency_keys WHERE scope = $1");
  pool_.prepare("idempotency_sweep",
                "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM "
                "idempotency_keys WHERE created_at < now() - $1 * interval '1 second' LIMIT $2 "
                "FOR UPDATE SKIP LOCKED))");
  pool_.prepare("idempotency_release",
                "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL");
}

long long Idempotency::sweep(std::chrono::seconds retention) {
  // Never before the 24 hours a key replays for.
  return db::sweep(pool_, "idempotency_sweep", std::max<long long>(retention.count(), 24 * 3600));
}

void Idempotency::forget(pqxx::work& tx, const std::string& scope) const {
  tx.exec_prepared("idempotency_forget", scope);
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
    return !tx.exec_prepared("idempotency_claim", scope, key, request_hash,
                             static_cast<long long>(deadline_.count()))
                .empty();
  });
  if (!claimed) {
    auto rows = pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return tx.exec_prepared("idempotency_find", scope, key);
    });
    if (rows.empty() || rows[0][0].as<std::string>() != request_hash) {
      throw common::ApiError::unprocessable(
          "idempotency_key_reused", "This Idempotency-Key was used for a different request.");
    }
    if (rows[0][1].is_null()) {
      throw common::ApiError::conflict("idempotency_key_in_use",
                                       "The first request with this key is still running.");
    }
    Response replay;
    replay.status = rows[0][1].as<int>();
    replay.content_type = rows[0][2].as<std::string>();
    replay.body = rows[0][3].as<std::string>();
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
      tx.exec_prepared("idempotency_release", scope, key);
    } else {
      tx.exec_prepared("idempotency_store", scope, key, response.status, response.content_type,
                       kept_body(response, shown_once));
    }
    return 0;
  });
  return response;
}

}  // namespace frontdoor::http
