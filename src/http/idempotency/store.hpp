#pragma once

// The idempotency_keys table (owned by the http module) behind typed functions.
#include <chrono>
#include <optional>
#include <pqxx/transaction_base>
#include <string>

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::http::idempotency_store {

void prepare(db::Pool& pool);

// Claims (scope, key) for this request until `deadline` from now. Taken over
// too: a key older than 24 h, and the same request still "running" past its
// deadline (the instance that ran it died; its transaction rolled back with it).
bool claim(pqxx::transaction_base& tx, const std::string& scope, const std::string& key,
           const std::string& request_hash, std::chrono::milliseconds deadline);

// What a key holds: the request it was claimed for, and its answer once there is one.
struct Kept {
  std::string request_hash;
  std::optional<int> status;  // nothing while the first request still runs
  std::optional<std::string> content_type;
  std::optional<std::string> response_body;
};
std::optional<Kept> find(pqxx::transaction_base& tx, const std::string& scope,
                         const std::string& key);

void store(pqxx::transaction_base& tx, const std::string& scope, const std::string& key, int status,
           const std::string& content_type, const std::string& body);
// Lets a retry run again: the first request decided nothing.
void release(pqxx::transaction_base& tx, const std::string& scope, const std::string& key);
// Every key of a scope (an account deleted, say).
void forget(pqxx::transaction_base& tx, const std::string& scope);
// Deletes keys older than `retention`; returns how many.
long long sweep(db::Pool& pool, std::chrono::seconds retention);

}  // namespace frontdoor::http::idempotency_store
