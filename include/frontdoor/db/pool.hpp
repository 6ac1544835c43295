#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "frontdoor/db/statement.hpp"

namespace frontdoor::db {

// The URL with connect_timeout added unless it sets one, so a dead host cannot
// hang whoever connects.
std::string with_connect_timeout(const std::string& url, std::chrono::seconds timeout);

// Deletes finished rows in batches: `statement` takes the retention in seconds
// ($1) and a batch size ($2) and deletes at most that many rows. Runs batches
// until one comes back short or `most_batches` ran (the rest waits for the next
// sweep), so that a sweep never holds locks or a connection for long.
class Pool;
long long sweep(Pool& pool, const Statement& statement, long long retention_seconds,
                int most_batches = 20);

struct PoolOptions {
  std::string url;
  std::size_t size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::seconds connect_timeout{3};
};

struct PoolStats {
  std::size_t in_use = 0;
  std::size_t idle = 0;
  std::size_t size = 0;
};

// A fixed-size pool of libpqxx connections, opened lazily. Statements registered
// with prepare() are known to every connection the pool opens.
//
// When the database goes away, run() answers 503 database_unavailable. Idle
// connections opened before the outage are dropped the next time one is found
// broken, so service resumes on its own once the database is back.
class Pool {
 public:
  explicit Pool(PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Registers a prepared statement; call during start-up, before run().
  void prepare(std::string name, std::string sql);
  // The statement, checked (its parameter count against its SQL) and prepared
  // on every connection.
  void prepare(const Statement& statement);

  template <typename Work>
  auto run(Work&& work) -> std::invoke_result_t<Work, pqxx::connection&> {
    Lease lease = acquire();
    try {
      return std::forward<Work>(work)(*lease.connection);
    } catch (const std::exception& failure) {
      handle_failure(lease, failure);
      throw;
    }
  }

  PoolStats stats() const;
  // The SQL of a registered statement, or "" (for benchmarks that run it alone).
  std::string statement_sql(const std::string& name) const;
  // Closes idle connections and refuses new leases: the last step of shutdown.
  void close();

 private:
  struct Lease {
    Pool* pool = nullptr;
    std::unique_ptr<pqxx::connection> connection;
    std::uint64_t epoch = 0;
    bool broken = false;
    Lease() = default;
    Lease(Lease&& other) noexcept
        : pool(std::exchange(other.pool, nullptr)),
          connection(std::move(other.connection)),
          epoch(other.epoch),
          broken(other.broken) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
  };
  struct Idle {
    std::unique_ptr<pqxx::connection> connection;
    std::uint64_t epoch;
  };

  Lease acquire();
  void release(Lease& lease);
  std::unique_ptr<pqxx::connection> open();
  void handle_failure(Lease& lease, const std::exception& failure);

  PoolOptions options_;
  std::string conninfo_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Idle> idle_;
  std::size_t in_use_ = 0;
  std::uint64_t epoch_ = 0;
  bool closed_ = false;
  std::vector<std::pair<std::string, std::string>> statements_;
};

}  // namespace frontdoor::db
