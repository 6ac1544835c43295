// The asynchronous read path against a real Postgres: an io_context on the test
// thread plays the I/O thread. Pipelining, failures that stay with their own
// statement, a connection killed mid-pipeline, statement timeouts, and many
// waiters on few connections.
#include "frontdoor/db/async.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "../support/http_client.hpp"
#include "../support/postgres.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/threads.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::db {
namespace {

namespace asio = boost::asio;
using testing::PostgresCluster;

// What a waiter got: its rows' first value, or the error it was given.
struct Outcome {
  bool done = false;
  std::string value;
  int status = 0;  // of an ApiError
  std::string code;
  std::string other_error;
};

// Every kind of column the rows decode, with the text parameter given.
constexpr Statement kTypes{"t_types", R"sql(
  SELECT $1::text, NULL::text, true, false, 42::bigint, -7::int, '\x00ff41'::bytea,
         1.5::float8)sql",
                           1};

class AsyncDatabaseTest : public ::testing::Test {
 protected:
  explicit AsyncDatabaseTest(std::string url = PostgresCluster::shared().create_migrated_database())
      : url_(std::move(url)), statements_(PoolOptions{url_, 1}) {
    statements_.prepare("t_echo", "SELECT $1::int * 2, pg_backend_pid()");
    statements_.prepare("t_divide", "SELECT 10 / $1::int");
    statements_.prepare("t_sleep", "SELECT pg_sleep($1::float8)::text");
    statements_.prepare(kTypes);
  }

  void open(int connections, std::chrono::milliseconds statement_timeout = std::chrono::seconds(5),
            const std::string& url = {}) {
    AsyncOptions options;
    options.url = url.empty() ? url_ : url;
    options.connections_per_thread = connections;
    options.statement_timeout = statement_timeout;
    options.connect_timeout = std::chrono::milliseconds(1000);
    database_ = std::make_unique<AsyncDatabase>(options, statements_);
    for (const char* name : {"t_echo", "t_divide", "t_sleep", "t_types"}) database_->use(name);
    database_->attach(io_);
  }

  void start(Outcome& outcome, std::string statement, std::vector<Parameter> parameters) {
    asio::co_spawn(
        io_,
        [this, &outcome, statement = std::move(statement),
         parameters = std::move(parameters)]() mutable -> asio::awaitable<void> {
          try {
            auto rows = co_await database_->query(std::move(statement), std::move(parameters));
            outcome.value = rows.empty() ? "" : rows[0][0].as<std::string>();
          } catch (const common::ApiError& error) {
            outcome.status = error.status();
            outcome.code = error.code();
          } catch (const std::exception& error) {
            outcome.other_error = error.what();
          }
          outcome.done = true;
        },
        asio::detached);
  }

  // Runs the loop until every outcome is in, or the limit passes.
  bool run_until_done(std::vector<Outcome>& outcomes,
                      std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(20));
      if (std::all_of(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return o.done; })) {
        return true;
      }
    }
    return false;
  }

  void run_for(std::chrono::milliseconds time) {
    const auto deadline = std::chrono::steady_clock::now() + time;
    while (std::chrono::steady_clock::now() < deadline) io_.run_for(std::chrono::milliseconds(20));
  }

  std::string url_;
  Pool statements_;
  asio::io_context io_;
  // As in the server, the loop never runs out of work between requests.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running_{io_.get_executor()};
  std::unique_ptr<AsyncDatabase> database_;
};

TEST_F(AsyncDatabaseTest, PipelinedAnswersReachTheirOwnWaitersInOrder) {
  open(2);
  std::vector<Outcome> outcomes(600);
  for (int i = 0; i < 600; ++i) start(outcomes[i], "t_echo", {std::to_string(i)});
  ASSERT_TRUE(run_until_done(outcomes));
  for (int i = 0; i < 600; ++i) {
    EXPECT_EQ(outcomes[i].value, std::to_string(2 * i)) << i << " " << outcomes[i].other_error;
  }
  // Concurrent statements shared round trips.
  const auto stats = database_->stats();
  EXPECT_EQ(stats.statements, 600);
  EXPECT_LT(stats.round_trips, 600) << "every statement went alone";
  EXPECT_GT(stats.deepest_pipeline, 1);
  EXPECT_EQ(stats.connections_ready, 2);
  EXPECT_EQ(stats.in_flight, 0);
}

TEST_F(AsyncDatabaseTest, AFailingStatementFailsOnlyItsOwnRequest) {
  open(1);
  std::vector<Outcome> outcomes(100);
  for (int i = 0; i < 100; ++i) {
    // Every tenth divides by zero; the others, sent in the same round trips, must
    // not be lost with it.
    start(outcomes[i], "t_divide", {i % 10 == 0 ? "0" : std::to_string(i)});
  }
  ASSERT_TRUE(run_until_done(outcomes));
  for (int i = 0; i < 100; ++i) {
    if (i % 10 == 0) {
      EXPECT_NE(outcomes[i].other_error.find("division by zero"), std::string::npos)
          << i << ": " << outcomes[i].value << outcomes[i].code;
    } else {
      EXPECT_EQ(outcomes[i].value, std::to_string(10 / i)) << i << " " << outcomes[i].other_error;
    }
  }
  EXPECT_EQ(database_->stats().connections_ready, 1);  // a failed statement is no lost connection
}

TEST_F(AsyncDatabaseTest, AConnectionKilledMidPipelineGivesEveryWaiter503AndReconnects) {
  open(2);
  std::vector<Outcome> warm(2);
  for (auto& outcome : warm) start(outcome, "t_echo", {"1"});
  ASSERT_TRUE(run_until_done(warm));
  std::vector<Outcome> outcomes(40);
  for (auto& outcome : outcomes) start(outcome, "t_sleep", {"3"});
  run_for(std::chrono::milliseconds(300));  // they are in Postgres now
  {
    pqxx::connection admin(url_);
    pqxx::nontransaction tx(admin);
    const auto killed = tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'frontdoor-async' AND datname = current_database()");
    ASSERT_EQ(killed.size(), 2u);
  }
  ASSERT_TRUE(run_until_done(outcomes, std::chrono::seconds(5)));
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.status, 503) << outcome.value << outcome.other_error;
    EXPECT_EQ(outcome.code, "database_unavailable");
  }
  // By itself, and soon, it answers again.
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    std::vector<Outcome> again(1);
    start(again[0], "t_echo", {"21"});
    ASSERT_TRUE(run_until_done(again));
    answered = again[0].value == "42";
    if (!answered) run_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(answered);
  EXPECT_EQ(database_->stats().in_flight, 0);
}

// Issue 30: with a multi-host URL whose first host refuses, libpq closes its
// socket and opens the next one, usually under the same descriptor number; the
// read path kept watching the dead registration and never connected. It also
// says it has never connected until it has.
TEST_F(AsyncDatabaseTest, AMultiHostUrlWhoseFirstHostIsDownConnectsThroughTheNext) {
  const auto at = url_.find("127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << url_;
  auto url = url_;
  url.insert(at, "127.0.0.1:" + std::to_string(testing::free_port()) + ",");
  url += "?target_session_attrs=read-write";
  open(1, std::chrono::seconds(5), url);
  EXPECT_FALSE(database_->stats().every_connection_was_ready());
  std::vector<Outcome> first(1);
  start(first[0], "t_echo", {"21"});
  ASSERT_TRUE(run_until_done(first, std::chrono::seconds(5)));
  EXPECT_EQ(first[0].value, "42") << first[0].code << first[0].other_error;
  EXPECT_TRUE(database_->stats().every_connection_was_ready());
  // And again after the connection is lost: every reconnect goes through the list.
  {
    pqxx::connection admin(url_);
    pqxx::nontransaction tx(admin);
    tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'frontdoor-async' AND datname = current_database()");
  }
  bool answered = false;
  for (int attempt = 0; attempt < 40 && !answered; ++attempt) {
    std::vector<Outcome> again(1);
    start(again[0], "t_echo", {"2"});
    ASSERT_TRUE(run_until_done(again));
    answered = again[0].value == "4";
    if (!answered) run_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(answered);
}

TEST_F(AsyncDatabaseTest, AStatementPastItsTimeoutIs503AndTheConnectionStays) {
  open(1, std::chrono::milliseconds(300));
  std::vector<Outcome> outcomes(3);
  start(outcomes[0], "t_sleep", {"2"});
  start(outcomes[1], "t_echo", {"5"});
  start(outcomes[2], "t_sleep", {"0"});
  ASSERT_TRUE(run_until_done(outcomes, std::chrono::seconds(5)));
  EXPECT_EQ(outcomes[0].status, 503);
  EXPECT_EQ(outcomes[0].code, "database_busy");
  EXPECT_EQ(outcomes[1].value, "10");  // behind the slow one, skipped, then sent again
  EXPECT_EQ(outcomes[2].value, "");
  EXPECT_EQ(database_->stats().connections_ready, 1);
}

TEST_F(AsyncDatabaseTest, ManyWaitersShareFewConnections) {
  open(1);
  std::vector<Outcome> outcomes(3000);
  for (int i = 0; i < 3000; ++i) start(outcomes[i], "t_echo", {std::to_string(i)});
  ASSERT_TRUE(run_until_done(outcomes, std::chrono::seconds(30)));
  int right = 0;
  for (int i = 0; i < 3000; ++i) right += outcomes[i].value == std::to_string(2 * i);
  EXPECT_EQ(right, 3000);
  // A connection holds at most so many at once; the rest wait their turn.
  EXPECT_LE(database_->stats().deepest_pipeline, AsyncOptions{}.most_in_flight_per_connection);
}

TEST_F(AsyncDatabaseTest, WithNoDatabaseStatementsFailAtOnceWith503) {
  // Nothing listens on port 1: every connection is down and stays so.
  open(2, std::chrono::seconds(5), "postgresql://postgres@127.0.0.1:1/none");
  run_for(std::chrono::milliseconds(300));
  std::vector<Outcome> outcomes(5);
  const auto started = std::chrono::steady_clock::now();
  for (auto& outcome : outcomes) start(outcome, "t_echo", {"1"});
  ASSERT_TRUE(run_until_done(outcomes, std::chrono::seconds(3)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.status, 503) << outcome.other_error;
  EXPECT_EQ(database_->stats().connections_ready, 0);
  // /readyz reads how long the I/O threads have had no connection.
  EXPECT_GE(database_->stats().without_a_ready_connection, std::chrono::milliseconds(300));
}

TEST_F(AsyncDatabaseTest, ValuesReadAsLibpqxxReadsThem) {
  open(1);
  std::optional<Rows> rows;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        rows = co_await database_->run(kTypes, std::string("naïve 'quoted'"));
      },
      asio::detached);
  for (int turn = 0; turn < 250 && !rows; ++turn) io_.run_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  const auto row = (*rows)[0];
  EXPECT_EQ(row.size(), 8);
  EXPECT_EQ(row[0].as<std::string>(), "naïve 'quoted'");
  EXPECT_TRUE(row[1].is_null());
  EXPECT_THROW(row[1].as<std::string>(), std::runtime_error);
  EXPECT_TRUE(row[2].as<bool>());
  EXPECT_FALSE(row[3].as<bool>());
  EXPECT_EQ(row[4].as<long long>(), 42);
  EXPECT_EQ(row[5].as<int>(), -7);
  EXPECT_EQ(row[6].bytes(), std::string("\0\xff"
                                        "A",
                                        3));
  EXPECT_DOUBLE_EQ(row[7].as<double>(), 1.5);
  EXPECT_THROW(row[0].as<int>(), std::runtime_error);
}

// No I/O thread may block: libpqxx refuses to run on one, loudly.
TEST(IoThreads, TheBlockingPoolRefusesToRunOnAnIoThread) {
  Pool pool(PoolOptions{PostgresCluster::shared().create_migrated_database(), 1});
  std::string refused;
  std::thread io([&] {
    common::mark_io_thread();
    try {
      pool.run([](pqxx::connection&) { return 0; });
    } catch (const std::logic_error& error) {
      refused = error.what();
    }
  });
  io.join();
  EXPECT_NE(refused.find("I/O thread"), std::string::npos) << refused;
  // Off the I/O threads it runs as ever.
  EXPECT_EQ(pool.run([](pqxx::connection&) { return 7; }), 7);
}

}  // namespace
}  // namespace frontdoor::db
