// SQL of the Idempotency-Key answers (table idempotency_keys, owned by http).
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::http::idempotency_store {
namespace {

// Claims the key until the request's deadline ($4 ms).
constexpr db::Statement kClaim{"idempotency_claim", R"sql(
  INSERT INTO idempotency_keys AS k (scope, key, request_hash, running_until)
  VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
  ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = NULL,
    content_type = NULL, response_body = NULL, created_at = now(),
    running_until = EXCLUDED.running_until
  WHERE k.created_at < now() - interval '24 hours'
     OR (k.status IS NULL AND k.request_hash = EXCLUDED.request_hash AND k.running_until < now())
  RETURNING key)sql",
                               4};
constexpr db::Statement kFind{"idempotency_find", R"sql(
  SELECT request_hash, status, content_type, response_body FROM idempotency_keys
  WHERE scope = $1 AND key = $2)sql",
                              2};
constexpr db::Statement kStore{"idempotency_store", R"sql(
  UPDATE idempotency_keys SET status = $3, content_type = $4, response_body = $5,
    running_until = NULL
  WHERE scope = $1 AND key = $2)sql",
                               5};
constexpr db::Statement kForget{"idempotency_forget",
                                "DELETE FROM idempotency_keys WHERE scope = $1", 1};
constexpr db::Statement kSweep{"idempotency_sweep", R"sql(
  DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED)))sql",
                               2};
constexpr db::Statement kRelease{
    "idempotency_release",
    "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL", 2};

struct ClaimedRow {
  std::string key;
};

}  // namespace
}  // namespace frontdoor::http::idempotency_store

template <>
struct frontdoor::db::Shape<frontdoor::http::idempotency_store::ClaimedRow> {
  using Row = http::idempotency_store::ClaimedRow;
  static constexpr auto columns = std::make_tuple(column("key", &Row::key));
};
template <>
struct frontdoor::db::Shape<frontdoor::http::idempotency_store::Kept> {
  using Row = http::idempotency_store::Kept;
  static constexpr auto columns = std::make_tuple(
      column("request_hash", &Row::request_hash), column("status", &Row::status),
      column("content_type", &Row::content_type), column("response_body", &Row::response_body));
};

namespace frontdoor::http::idempotency_store {

void prepare(db::Pool& pool) {
  for (const auto* statement : {&kClaim, &kFind, &kStore, &kForget, &kSweep, &kRelease}) {
    pool.prepare(*statement);
  }
}

bool claim(pqxx::transaction_base& tx, const std::string& scope, const std::string& key,
           const std::string& request_hash, std::chrono::milliseconds deadline) {
  const auto claimed = db::read_first<ClaimedRow>(
      db::exec(tx, kClaim, scope, key, request_hash, static_cast<long long>(deadline.count())));
  return claimed.has_value();
}

std::optional<Kept> find(pqxx::transaction_base& tx, const std::string& scope,
                         const std::string& key) {
  return db::read_first<Kept>(db::exec(tx, kFind, scope, key));
}

void store(pqxx::transaction_base& tx, const std::string& scope, const std::string& key, int status,
           const std::string& content_type, const std::string& body) {
  db::exec(tx, kStore, scope, key, status, content_type, body);
}

void release(pqxx::transaction_base& tx, const std::string& scope, const std::string& key) {
  db::exec(tx, kRelease, scope, key);
}

void forget(pqxx::transaction_base& tx, const std::string& scope) { db::exec(tx, kForget, scope); }

long long sweep(db::Pool& pool, std::chrono::seconds retention) {
  return db::sweep(pool, kSweep, retention.count());
}

}  // namespace frontdoor::http::idempotency_store
