#include "frontdoor/db/migrations.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "../support/postgres.hpp"

namespace frontdoor::db {
namespace {

using testing::PostgresCluster;

void quiet(std::string_view) {}

int count_rows(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  return tx.exec1(sql)[0].as<int>();
}

std::string message_of(const std::function<void()>& work) {
  try {
    work();
  } catch (const MigrationError& error) {
    return error.what();
  }
  return "no error";
}

TEST(Migrate, AppliesEverythingOnceAndIsIdempotent) {
  const auto url = PostgresCluster::shared().create_empty_database();
  const auto& bundled = bundled_migrations();
  auto first = migrate(url, bundled, quiet);
  EXPECT_EQ(first.applied.size(), bundled.size());
  auto second = migrate(url, bundled, quiet);
  EXPECT_TRUE(second.applied.empty());
  EXPECT_EQ(second.already_applied, bundled.size());
  EXPECT_EQ(count_rows(url, "SELECT count(*) FROM schema_migrations"),
            static_cast<int>(bundled.size()));
  pqxx::connection connection(url);
  EXPECT_EQ(schema_status(connection, bundled), std::nullopt);
}

TEST(Migrate, RefusesWhenALandedMigrationWasEdited) {
  const auto url = PostgresCluster::shared().create_empty_database();
  migrate(url, load_migrations({{"0001_a.sql", "CREATE TABLE a (x int);"}}), quiet);
  const auto edited = load_migrations(
      {{"0001_a.sql", "CREATE TABLE a (x bigint);"}, {"0002_b.sql", "CREATE TABLE b (x int);"}});
  const auto message = message_of([&] { migrate(url, edited, quiet); });
  EXPECT_NE(message.find("0001_a.sql was edited"), std::string::npos) << message;
  // Nothing after the refusal was applied.
  EXPECT_EQ(count_rows(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), 0);
}

TEST(Migrate, RefusesADatabaseNewerThanTheBuild) {
  const auto url = PostgresCluster::shared().create_empty_database();
  migrate(url, load_migrations({{"0001_a.sql", "SELECT 1;"}, {"0002_b.sql", "SELECT 2;"}}), quiet);
  const auto message = message_of([&] {
    migrate(url, load_migrations({{"0001_a.sql", "SELECT 1;"}}), quiet);
  });
  EXPECT_NE(message.find("0002_b.sql which this build does not know"), std::string::npos)
      << message;
}

TEST(Migrate, AFailingMigrationLeavesNoTraceAndReportsIt) {
  const auto url = PostgresCluster::shared().create_empty_database();
  const auto broken = load_migrations({{"0001_a.sql", "CREATE TABLE a (x int);"},
                                       {"0002_b.sql", "CREATE TABLE b (x nosuchtype);"}});
  EXPECT_THROW(migrate(url, broken, quiet), std::exception);
  EXPECT_EQ(count_rows(url, "SELECT count(*) FROM schema_migrations"), 1);
  pqxx::connection connection(url);
  EXPECT_NE(schema_status(connection, broken), std::nullopt);
}

TEST(Migrate, TwoInstancesNeverMigrateAtOnce) {
  const auto url = PostgresCluster::shared().create_empty_database();
  // Without the lock, the second runner would try to create the table again and fail.
  const auto slow =
      load_migrations({{"0001_slow.sql", "SELECT pg_sleep(0.5); CREATE TABLE t (x int);"}});
  MigrationReport reports[2];
  std::exception_ptr failures[2];
  std::thread runners[2];
  for (int i = 0; i < 2; ++i) {
    runners[i] = std::thread([&, i] {
      try {
        reports[i] = migrate(url, slow, quiet);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
  }
  for (auto& runner : runners) runner.join();
  EXPECT_FALSE(failures[0]);
  EXPECT_FALSE(failures[1]);
  EXPECT_EQ(reports[0].applied.size() + reports[1].applied.size(), 1u);
  EXPECT_EQ(count_rows(url, "SELECT count(*) FROM schema_migrations"), 1);
}

}  // namespace
}  // namespace frontdoor::db
