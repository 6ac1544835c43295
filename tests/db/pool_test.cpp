#include "frontdoor/db/pool.hpp"

#include <gtest/gtest.h>

#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "../support/postgres.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/db/errors.hpp"

namespace frontdoor::db {
namespace {

using testing::PostgresCluster;

int select_one(Pool& pool) {
  return pool.run([](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared1("select_one")[0].as<int>();
  });
}

std::unique_ptr<Pool> make_pool(std::size_t size = 2) {
  PoolOptions options;
  options.url = PostgresCluster::shared().create_migrated_database();
  options.size = size;
  options.acquire_timeout = std::chrono::milliseconds(300);
  auto pool = std::make_unique<Pool>(options);
  pool->prepare("select_one", "SELECT 1");
  return pool;
}

int status_of(const std::function<void()>& work, std::string* code = nullptr) {
  try {
    work();
  } catch (const common::ApiError& error) {
    if (code) *code = error.code();
    return error.status();
  } catch (const std::exception& error) {
    if (auto mapped = to_api_error(error)) {
      if (code) *code = mapped->code();
      return mapped->status();
    }
    return 500;
  }
  return 200;
}

TEST(Pool, RunsPreparedStatementsAndReusesConnections) {
  auto pool = make_pool();
  EXPECT_EQ(select_one(*pool), 1);
  EXPECT_EQ(select_one(*pool), 1);
  const auto stats = pool->stats();
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.idle, 1u);
}

TEST(Pool, ExhaustedPoolAnswers503AfterTheAcquireTimeout) {
  auto pool = make_pool(1);
  std::promise<void> holding;
  std::promise<void> release;
  auto holder = std::async(std::launch::async, [&] {
    pool->run([&](pqxx::connection&) {
      holding.set_value();
      release.get_future().wait();
      return 0;
    });
  });
  holding.get_future().wait();
  std::string code;
  EXPECT_EQ(status_of([&] { select_one(*pool); }, &code), 503);
  EXPECT_EQ(code, "database_unavailable");
  release.set_value();
  holder.get();
  EXPECT_EQ(select_one(*pool), 1);
}

TEST(Pool, DatabaseErrorsMapToStableCodes) {
  auto pool = make_pool();
  pool->run([](pqxx::connection& connection) {
    pqxx::work tx(connection);
    tx.exec("CREATE TABLE parent (id int PRIMARY KEY)");
    tx.exec("CREATE TABLE child (parent_id int REFERENCES parent (id))");
    tx.exec("INSERT INTO parent VALUES (1)");
    tx.commit();
    return 0;
  });
  auto insert = [&](const std::string& sql) {
    return [&pool, sql] {
      pool->run([&sql](pqxx::connection& connection) {
        pqxx::work tx(connection);
        tx.exec(sql);
        tx.commit();
        return 0;
      });
    };
  };
  std::string code;
  EXPECT_EQ(status_of(insert("INSERT INTO parent VALUES (1)"), &code), 409);
  EXPECT_EQ(code, "already_exists");
  EXPECT_EQ(status_of(insert("INSERT INTO child VALUES (2)"), &code), 422);
  EXPECT_EQ(code, "reference_not_found");
  // A plain SQL error is not a client's fault and has no mapping.
  EXPECT_EQ(status_of(insert("SELECT * FROM no_such_table")), 500);
  // The connection that saw those errors is still usable.
  EXPECT_EQ(select_one(*pool), 1);
}

TEST(Pool, ResumesByItselfAfterTheDatabaseRestarts) {
  auto pool = make_pool(3);
  // Warm several connections so stale ones sit idle during the outage.
  std::vector<std::future<int>> warm;
  for (int i = 0; i < 3; ++i) {
    warm.push_back(std::async(std::launch::async, [&] {
      return pool->run([](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        return tx.exec1("SELECT 1 FROM pg_sleep(0.1)")[0].as<int>();
      });
    }));
  }
  for (auto& result : warm) EXPECT_EQ(result.get(), 1);

  auto& cluster = PostgresCluster::shared();
  cluster.stop();
  std::string code;
  EXPECT_EQ(status_of([&] { select_one(*pool); }, &code), 503);
  EXPECT_EQ(code, "database_unavailable");
  EXPECT_EQ(status_of([&] { select_one(*pool); }, &code), 503);
  cluster.start();
  // Every request after the restart succeeds: no stale connection is handed out.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(select_one(*pool), 1) << "request " << i;
}

}  // namespace
}  // namespace frontdoor::db
