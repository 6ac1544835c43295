#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "frontdoor/db/rows.hpp"
#include "frontdoor/db/statement.hpp"

namespace boost::asio {
class io_context;
}

namespace frontdoor::db {

class Pool;

struct AsyncOptions {
  std::string url;
  // Connections each I/O thread opens and keeps (its requests share them).
  int connections_per_thread = 2;
  // The server cancels a statement after this long (57014): the caller gets 503.
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds connect_timeout{3000};
  // A connection holds at most this many statements sent and not yet answered.
  int most_in_flight_per_connection = 256;
};

// What the asynchronous path looks like now, over every I/O thread.
struct AsyncStats {
  long long connections_ready = 0;
  long long connections_connecting = 0;
  long long connections_down = 0;
  long long in_flight = 0;
  long long deepest_pipeline = 0;  // most statements one connection has held, since start
  long long statements = 0;        // answered, since start
  long long round_trips = 0;       // batches sent, since start (statements / round trips =
                                   // how many requests shared each one)
  // Zero while a connection is ready; otherwise how long none has been.
  std::chrono::milliseconds without_a_ready_connection{0};
  // Connections made, and how many have been ready at least once.
  long long connections_made = 0;
  long long connections_ever_ready = 0;
  // Every I/O thread has connected at least once (and there is a thread).
  bool every_connection_was_ready() const {
    return connections_made > 0 && connections_ever_ready == connections_made;
  }
};

// Single-statement reads on the I/O threads, without ever parking one.
//
// Each I/O thread opens its own connections (attach()) and drives them from its
// own event loop: libpq in non-blocking mode, connection start-up with
// PQconnectPoll (watching the socket libpq names at each step, which may
// change), statements prepared once per connection, and pipeline mode. A
// statement is queued on the thread's least busy connection; everything queued
// during one turn of the event loop leaves in one write with one sync, so
// concurrent requests share a round trip and Postgres does less per statement.
// Results come back in order to their waiters. A statement that fails fails only
// its own request (the ones behind it in the same round trip, which Postgres
// skips, are sent again). A connection that breaks fails every waiter on it
// with 503 database_unavailable and reconnects by itself, with backoff; while
// every connection of a thread is down, new statements fail at once (503 with
// Retry-After) rather than wait.
//
// Writes and transactions stay on the workers (db::Pool and libpqxx).
class AsyncDatabase {
 public:
  // Statements come from the pool's registry (one list for both paths, and for
  // `frontdoor print-sql`); use() names the ones this path prepares.
  AsyncDatabase(AsyncOptions options, const Pool& statements);
  ~AsyncDatabase();
  AsyncDatabase(const AsyncDatabase&) = delete;
  AsyncDatabase& operator=(const AsyncDatabase&) = delete;

  // Register before the server starts (the statement must be prepared on the pool,
  // whose registry both paths share).
  void use(std::string statement);
  void use(const Statement& statement) { use(std::string(statement.name)); }
  // On an I/O thread as it starts: this thread's connections open now.
  void attach(boost::asio::io_context& io);

  // Runs a registered statement on the calling I/O thread's connections.
  // Throws common::ApiError: 503 database_unavailable (connection lost, all
  // down, statement timeout), or the mapped SQLSTATE; others as runtime_error.
  boost::asio::awaitable<Rows> query(std::string statement, std::vector<Parameter> parameters);
  // By its declaration, with exactly its parameters.
  template <typename... Params>
  boost::asio::awaitable<Rows> run(const Statement& statement, const Params&... params) {
    if (static_cast<int>(sizeof...(Params)) != statement.parameters) {
      throw std::logic_error("statement " + std::string(statement.name) + " takes " +
                             std::to_string(statement.parameters) + " parameters");
    }
    return query(std::string(statement.name), {parameter(params)...});
  }

  AsyncStats stats() const;

  struct Shared;

 private:
  const Pool& statements_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace frontdoor::db
