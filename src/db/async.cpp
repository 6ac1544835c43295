#include "frontdoor/db/async.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/errors.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::db {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Completion = asio::any_completion_handler<void(std::exception_ptr, Rows)>;

std::atomic<std::uint64_t> databases_made{0};

struct AsyncDatabase::Shared {
  // Names this database's pools on each thread (an address could be reused).
  const std::uint64_t id = ++databases_made;
  AsyncOptions options;
  std::vector<std::pair<std::string, std::string>> statements;  // name, SQL
  std::atomic<long long> ready{0}, connecting{0}, down{0}, in_flight{0}, deepest{0};
  std::atomic<long long> answered{0}, round_trips{0};
  // Connections made, and how many of them have been ready at least once: until
  // every one has, some I/O thread has never been able to read.
  std::atomic<long long> made{0}, ever_ready{0};
  // When the last ready connection (of any thread) stopped being ready.
  std::atomic<Clock::rep> none_ready_since{Clock::now().time_since_epoch().count()};

  void note_depth(long long depth) {
    auto seen = deepest.load();
    while (depth > seen && !deepest.compare_exchange_weak(seen, depth)) {
    }
  }
};

namespace {

// A statement waiting for its answer.
struct Pending {
  std::string statement;
  std::vector<Parameter> parameters;
  Completion done;
  Clock::time_point sent{};
  // Postgres skipped it because a statement before it in the same round trip
  // failed: it goes again in a sync segment of its own, where nothing else can.
  bool alone = false;
};

// What the connection expects back, in order: one answer per statement, one
// sync per round trip.
struct Expected {
  enum class Kind { statement, prepare, sync } kind;
  std::optional<Pending> pending;  // for statements
  PGresult* result = nullptr;
  bool aborted = false;
};

constexpr auto kLongestBackoff = std::chrono::milliseconds(2000);

common::ApiError unavailable() { return database_unavailable(); }

class ThreadPool;

// One connection of one I/O thread.
class Connection {
 public:
  enum class State { down, connecting, preparing, ready };

  Connection(asio::io_context& io, AsyncDatabase::Shared& shared)
      : io_(io), shared_(shared), timer_(io), watchdog_(io) {
    ++shared_.down;
    ++shared_.made;
  }
  ~Connection() {
    close();
    --counter(state_);
  }

  State state() const { return state_; }
  std::size_t load() const { return expected_statements_ + unsent_.size(); }
  void connect();
  void submit(Pending pending);

 private:
  std::atomic<long long>& counter(State state);
  void set_state(State next);
  // False when it could not (it has failed the connection then).
  bool watch_socket(bool afresh = false);
  void stop_watching();
  void poll_connecting(PostgresPollingStatusType wanted);
  void connected();
  void schedule_batch();
  void send_batch();
  void flush();
  void read_more();
  void on_readable();
  void process_results();
  void finish(Expected& done,
              std::vector<std::pair<Completion, std::pair<std::exception_ptr, Rows>>>& completions);
  void fail(const std::string& why);
  void close();
  void arm_watchdog();

  asio::io_context& io_;
  AsyncDatabase::Shared& shared_;
  PGconn* conn_ = nullptr;
  std::unique_ptr<asio::posix::stream_descriptor> socket_;
  int socket_fd_ = -1;
  bool was_ready_ = false;
  State state_ = State::down;
  std::deque<Pending> unsent_;
  std::deque<Expected> expected_;
  std::size_t expected_statements_ = 0;
  bool batch_scheduled_ = false;
  bool reading_ = false;
  bool writing_ = false;
  std::chrono::milliseconds backoff_{100};
  asio::steady_timer timer_;     // connect timeout, then reconnect backoff
  asio::steady_timer watchdog_;  // a statement unanswered far past the server's timeout
  // Guards callbacks that outlive a close(): each carries the generation it was armed in.
  std::uint64_t generation_ = 0;
};

// Every connection of one I/O thread for one database.
class ThreadPool {
 public:
  ThreadPool(asio::io_context& io, AsyncDatabase::Shared& shared) {
    for (int i = 0; i < std::max(1, shared.options.connections_per_thread); ++i) {
      connections_.push_back(std::make_unique<Connection>(io, shared));
    }
    for (auto& connection : connections_) connection->connect();
  }

  // The least busy ready connection; a connecting one if none is ready; or none
  // at all when every one is down (the caller fails at once).
  Connection* choose() {
    Connection* best = nullptr;
    for (auto& connection : connections_) {
      if (connection->state() != Connection::State::ready) continue;
      if (!best || connection->load() < best->load()) best = connection.get();
    }
    if (best) return best;
    for (auto& connection : connections_) {
      if (connection->state() != Connection::State::down) {
        if (!best || connection->load() < best->load()) best = connection.get();
      }
    }
    return best;
  }

 private:
  std::vector<std::unique_ptr<Connection>> connections_;
};

// This thread's pools, one per database (tests run several apps in one process).
// An I/O thread's go when it ends; a database destroyed on a thread takes that
// thread's with it.
thread_local std::map<std::uint64_t, std::unique_ptr<ThreadPool>> pools_here;

std::atomic<long long>& Connection::counter(State state) {
  switch (state) {
    case State::ready:
      return shared_.ready;
    case State::down:
      return shared_.down;
    default:
      return shared_.connecting;
  }
}

void Connection::set_state(State next) {
  if (state_ == next) return;
  if (--counter(state_) == 0 && state_ == State::ready) {
    shared_.none_ready_since = Clock::now().time_since_epoch().count();
  }
  ++counter(next);
  state_ = next;
}

void Connection::connect() {
  ++generation_;
  const auto generation = generation_;
  const std::string timeout_ms = std::to_string(shared_.options.statement_timeout.count());
  const std::string options = "-c statement_timeout=" + timeout_ms;
  const std::string connect_seconds =
      std::to_string(std::max<long long>(1, shared_.options.connect_timeout.count() / 1000));
  const char* keywords[] = {"dbname", "options", "connect_timeout", "application_name", nullptr};
  const char* values[] = {shared_.options.url.c_str(), options.c_str(), connect_seconds.c_str(),
                          "frontdoor-async", nullptr};
  conn_ = PQconnectStartParams(keywords, values, 1);
  set_state(State::connecting);
  if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD || PQsetnonblocking(conn_, 1) != 0) {
    return fail(conn_ ? PQerrorMessage(conn_) : "out of memory");
  }
  timer_.expires_after(shared_.options.connect_timeout);
  timer_.async_wait([this, generation](const boost::system::error_code& ec) {
    if (ec || generation != generation_ || state_ != State::connecting) return;
    fail("connecting took longer than " + std::to_string(shared_.options.connect_timeout.count()) +
         " ms");
  });
  // libpq's start: behave as if PQconnectPoll had asked to wait for writing.
  poll_connecting(PGRES_POLLING_WRITING);
}

// libpq may close its socket and open a new one at any step of connecting
// (the next host of a multi-host URL, another address, SSL), and the new one
// usually gets the same descriptor number: the kernel has then already dropped
// the old registration from epoll. While connecting, the descriptor is watched
// afresh after every step, whatever its number.
bool Connection::watch_socket(bool afresh) {
  const int fd = PQsocket(conn_);
  if (!afresh && fd == socket_fd_ && socket_) return true;
  stop_watching();
  // Asio watches a duplicate of libpq's descriptor and closes it itself. libpq
  // closes its own when a connection breaks, inside the very call that reports
  // it; had Asio watched that number, it would deregister a descriptor that
  // another thread may already have been given again.
  const int watched = ::dup(fd);
  if (watched < 0) {
    fail("cannot watch the connection's socket: " +
         std::error_code(errno, std::generic_category()).message());
    return false;
  }
  socket_ = std::make_unique<asio::posix::stream_descriptor>(io_, watched);
  socket_fd_ = fd;
  reading_ = writing_ = false;
  return true;
}

void Connection::stop_watching() {
  if (!socket_) return;
  boost::system::error_code ignored;
  socket_->cancel(ignored);
  socket_->close(ignored);
  socket_.reset();
}

void Connection::poll_connecting(PostgresPollingStatusType wanted) {
  if (wanted == PGRES_POLLING_OK) return connected();
  if (wanted == PGRES_POLLING_FAILED) return fail(PQerrorMessage(conn_));
  if (PQsocket(conn_) < 0) return fail("no socket while connecting");
  if (!watch_socket(true)) return;
  const auto generation = generation_;
  socket_->async_wait(wanted == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                                      : asio::posix::stream_descriptor::wait_write,
                      [this, generation](const boost::system::error_code& ec) {
                        if (generation != generation_) return;
                        if (ec == asio::error::operation_aborted) return;
                        if (ec) return fail(ec.message());
                        poll_connecting(PQconnectPoll(conn_));
                      });
}

void Connection::connected() {
  timer_.cancel();
  if (!watch_socket(true)) return;
  if (PQenterPipelineMode(conn_) != 1) return fail(PQerrorMessage(conn_));
  set_state(State::preparing);
  // Every statement of this path, once per connection, in one round trip.
  for (const auto& [name, sql] : shared_.statements) {
    if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
      return fail(PQerrorMessage(conn_));
    }
    expected_.push_back({Expected::Kind::prepare, std::nullopt});
  }
  if (PQpipelineSync(conn_) != 1) return fail(PQerrorMessage(conn_));
  expected_.push_back({Expected::Kind::sync, std::nullopt});
  flush();
  read_more();
}

void Connection::submit(Pending pending) {
  unsent_.push_back(std::move(pending));
  ++shared_.in_flight;
  schedule_batch();
}

// Everything queued until this turn of the event loop ends leaves together.
void Connection::schedule_batch() {
  if (batch_scheduled_ || state_ != State::ready) return;
  batch_scheduled_ = true;
  const auto generation = generation_;
  asio::post(io_, [this, generation] {
    if (generation != generation_) return;
    batch_scheduled_ = false;
    send_batch();
  });
}

void Connection::send_batch() {
  if (state_ != State::ready || unsent_.empty()) return;
  const auto room = static_cast<std::size_t>(shared_.options.most_in_flight_per_connection);
  int sent = 0;
  bool open_segment = false;
  while (!unsent_.empty() && expected_statements_ < room) {
    auto pending = std::move(unsent_.front());
    unsent_.pop_front();
    const bool alone = pending.alone;
    if (alone && open_segment) {
      if (PQpipelineSync(conn_) != 1) return fail(PQerrorMessage(conn_));
      expected_.push_back({Expected::Kind::sync, std::nullopt});
      open_segment = false;
    }
    std::vector<const char*> values;
    values.reserve(pending.parameters.size());
    for (const auto& parameter : pending.parameters) {
      values.push_back(parameter ? parameter->c_str() : nullptr);
    }
    if (PQsendQueryPrepared(conn_, pending.statement.c_str(), static_cast<int>(values.size()),
                            values.data(), nullptr, nullptr, 0) != 1) {
      unsent_.push_front(std::move(pending));
      return fail(PQerrorMessage(conn_));
    }
    pending.sent = Clock::now();
    expected_.push_back({Expected::Kind::statement, std::move(pending)});
    ++expected_statements_;
    ++sent;
    open_segment = true;
    if (alone) {
      if (PQpipelineSync(conn_) != 1) return fail(PQerrorMessage(conn_));
      expected_.push_back({Expected::Kind::sync, std::nullopt});
      open_segment = false;
    }
  }
  if (sent == 0) return;
  if (open_segment) {
    if (PQpipelineSync(conn_) != 1) return fail(PQerrorMessage(conn_));
    expected_.push_back({Expected::Kind::sync, std::nullopt});
  }
  ++shared_.round_trips;
  shared_.note_depth(static_cast<long long>(expected_statements_));
  flush();
  read_more();
  arm_watchdog();
}

// In non-blocking mode libpq may keep part of what it was given: wait until the
// socket takes more.
void Connection::flush() {
  if (writing_ || !conn_) return;
  const int status = PQflush(conn_);
  if (status < 0) return fail(PQerrorMessage(conn_));
  if (status == 0) return;
  writing_ = true;
  const auto generation = generation_;
  socket_->async_wait(asio::posix::stream_descriptor::wait_write,
                      [this, generation](const boost::system::error_code& ec) {
                        if (generation != generation_) return;
                        writing_ = false;
                        if (ec == asio::error::operation_aborted) return;
                        if (ec) return fail(ec.message());
                        flush();
                      });
}

// Always listening while connected, also when idle: a server that closes the
// connection (a restart, an administrator) is noticed now and reconnected,
// rather than by the next request.
void Connection::read_more() {
  if (reading_ || !socket_ || !conn_) return;
  reading_ = true;
  const auto generation = generation_;
  socket_->async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, generation](const boost::system::error_code& ec) {
                        if (generation != generation_) return;
                        reading_ = false;
                        if (ec == asio::error::operation_aborted) return;
                        if (ec) return fail(ec.message());
                        on_readable();
                      });
}

void Connection::on_readable() {
  if (PQconsumeInput(conn_) != 1) return fail(PQerrorMessage(conn_));
  const auto generation = generation_;
  process_results();
  if (generation != generation_) return;  // it failed, and is reconnecting
  // Reading may have let libpq write what it held back.
  flush();
  read_more();
  if (!unsent_.empty()) schedule_batch();
}

void Connection::process_results() {
  std::vector<std::pair<Completion, std::pair<std::exception_ptr, Rows>>> completions;
  bool lost_place = false;
  while (!expected_.empty() && PQisBusy(conn_) == 0) {
    PGresult* result = PQgetResult(conn_);
    auto& front = expected_.front();
    if (front.kind == Expected::Kind::sync) {
      if (result == nullptr || PQresultStatus(result) != PGRES_PIPELINE_SYNC) {
        if (result) PQclear(result);
        lost_place = true;
        break;
      }
      PQclear(result);
      expected_.pop_front();
      if (state_ == State::preparing && expected_.empty()) {
        set_state(State::ready);
        if (!was_ready_) {
          was_ready_ = true;
          ++shared_.ever_ready;
        }
        backoff_ = std::chrono::milliseconds(100);
        schedule_batch();
        common::log::info("async database connection ready", {});
      }
      continue;
    }
    // A statement's (or a prepare's) results end with a null.
    if (result == nullptr) {
      auto done = std::move(front);
      expected_.pop_front();
      finish(done, completions);
      if (state_ == State::down) break;
      continue;
    }
    if (PQresultStatus(result) == PGRES_PIPELINE_ABORTED) {
      front.aborted = true;
      PQclear(result);
    } else if (front.result == nullptr) {
      front.result = result;
    } else {
      PQclear(result);
    }
  }
  // Resumed after the loop: a waiter that queues its next statement at once
  // finds the connection in order. Answers already read are given even when the
  // connection is lost right after them.
  for (auto& [done, outcome] : completions) {
    std::move(done)(outcome.first, std::move(outcome.second));
  }
  if (lost_place) fail("the pipeline lost its place");
}

void Connection::finish(
    Expected& done,
    std::vector<std::pair<Completion, std::pair<std::exception_ptr, Rows>>>& completions) {
  Rows rows(done.result);  // owns the result from here
  const auto status = done.result ? PQresultStatus(done.result) : PGRES_FATAL_ERROR;
  if (done.kind == Expected::Kind::prepare) {
    if (status != PGRES_COMMAND_OK) {
      fail(std::string("could not prepare a statement: ") +
           (done.result ? PQresultErrorMessage(done.result) : "no result"));
    }
    return;
  }
  --expected_statements_;
  auto& pending = *done.pending;
  // Skipped because a statement before it in the same round trip failed: it never
  // ran, so it goes again (reads only: this path runs no writes).
  if (done.aborted && !pending.alone) {
    pending.alone = true;
    unsent_.push_back(std::move(pending));
    return;
  }
  --shared_.in_flight;
  ++shared_.answered;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    completions.emplace_back(std::move(pending.done), std::make_pair(nullptr, std::move(rows)));
    return;
  }
  const char* state = done.result ? PQresultErrorField(done.result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  const std::string message =
      done.result ? PQresultErrorMessage(done.result) : "the statement was skipped";
  std::exception_ptr error;
  if (auto mapped = error_for_sqlstate(sqlstate)) {
    common::log::warn(
        "database error",
        {{"code", mapped->code()}, {"statement", pending.statement}, {"internal", message}});
    error = std::make_exception_ptr(*mapped);
  } else {
    error = std::make_exception_ptr(
        std::runtime_error("statement " + pending.statement + " failed: " + message));
  }
  completions.emplace_back(std::move(pending.done), std::make_pair(error, Rows()));
}

// A statement far past the server's own timeout means the connection is gone
// in a way the socket has not noticed (a network that drops silently).
void Connection::arm_watchdog() {
  const auto limit = shared_.options.statement_timeout + std::chrono::seconds(2);
  watchdog_.expires_after(limit);
  const auto generation = generation_;
  watchdog_.async_wait([this, generation, limit](const boost::system::error_code& ec) {
    if (ec || generation != generation_) return;
    for (const auto& waiting : expected_) {
      if (waiting.pending && Clock::now() - waiting.pending->sent > limit) {
        return fail("no answer in " + std::to_string(limit.count()) + " ms");
      }
    }
    if (expected_statements_ > 0) arm_watchdog();
  });
}

void Connection::fail(const std::string& why) {
  common::log::warn("async database connection lost", {{"internal", why}});
  // Every waiter hears of it now, with the answer a dead database gets.
  std::vector<Completion> waiting;
  for (auto& entry : expected_) {
    if (entry.result) PQclear(entry.result);
    if (entry.pending) waiting.push_back(std::move(entry.pending->done));
  }
  for (auto& pending : unsent_) waiting.push_back(std::move(pending.done));
  expected_.clear();
  unsent_.clear();
  expected_statements_ = 0;
  shared_.in_flight -= static_cast<long long>(waiting.size());
  close();
  set_state(State::down);
  for (auto& done : waiting) {
    auto handler = std::move(done);
    asio::post(io_, [handler = std::move(handler)]() mutable {
      std::move(handler)(std::make_exception_ptr(unavailable()), Rows());
    });
  }
  // Reconnect by itself, waiting longer each time it fails.
  const auto generation = generation_;
  timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, kLongestBackoff);
  timer_.async_wait([this, generation](const boost::system::error_code& ec) {
    if (ec || generation != generation_) return;
    connect();
  });
}

void Connection::close() {
  ++generation_;  // callbacks armed before this see they are stale
  watchdog_.cancel();
  stop_watching();
  socket_fd_ = -1;
  reading_ = writing_ = batch_scheduled_ = false;
  if (conn_) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

}  // namespace

AsyncDatabase::AsyncDatabase(AsyncOptions options, const Pool& statements)
    : statements_(statements), shared_(std::make_shared<Shared>()) {
  shared_->options = std::move(options);
}

AsyncDatabase::~AsyncDatabase() { pools_here.erase(shared_->id); }

void AsyncDatabase::use(std::string statement) {
  auto sql = statements_.statement_sql(statement);
  if (sql.empty()) throw std::logic_error("no statement named " + statement + " to use");
  shared_->statements.emplace_back(std::move(statement), std::move(sql));
}

void AsyncDatabase::attach(asio::io_context& io) {
  auto& slot = pools_here[shared_->id];
  if (!slot) slot = std::make_unique<ThreadPool>(io, *shared_);
}

asio::awaitable<Rows> AsyncDatabase::query(std::string statement,
                                           std::vector<Parameter> parameters) {
  auto found = pools_here.find(shared_->id);
  if (found == pools_here.end()) {
    throw std::logic_error("an asynchronous statement off the I/O threads: " + statement);
  }
  Connection* connection = found->second->choose();
  if (connection == nullptr) throw unavailable();
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(std::exception_ptr, Rows)>(
      [connection, &statement, &parameters](auto handler) {
        connection->submit(
            {std::move(statement), std::move(parameters), Completion(std::move(handler))});
      },
      asio::use_awaitable);
}

AsyncStats AsyncDatabase::stats() const {
  AsyncStats stats;
  stats.connections_ready = shared_->ready;
  stats.connections_connecting = shared_->connecting;
  stats.connections_down = shared_->down;
  stats.in_flight = shared_->in_flight;
  stats.deepest_pipeline = shared_->deepest;
  stats.statements = shared_->answered;
  stats.round_trips = shared_->round_trips;
  stats.connections_made = shared_->made;
  stats.connections_ever_ready = shared_->ever_ready;
  if (stats.connections_ready == 0) {
    const Clock::time_point since{Clock::duration(shared_->none_ready_since.load())};
    stats.without_a_ready_connection =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
  }
  return stats;
}

}  // namespace frontdoor::db
