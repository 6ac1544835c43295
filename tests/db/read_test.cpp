// Rows into structs by column name, on the libpqxx path and the asynchronous one.
#include "frontdoor/db/read.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <pqxx/pqxx>

#include "../support/postgres.hpp"
#include "frontdoor/common/names.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor {
namespace {

enum class Colour { red, green };

}  // namespace

template <>
struct common::Names<Colour> {
  static constexpr std::array<std::pair<Colour, std::string_view>, 2> all{
      {{Colour::red, "red"}, {Colour::green, "green"}}};
};

namespace {

struct Thing {
  std::string id;
  std::optional<std::string> note;
  std::int64_t count = 0;
  bool ok = false;
  common::TimePoint at;
  std::optional<common::TimePoint> maybe_at;
  Colour colour = Colour::red;
};

}  // namespace

template <>
struct db::Shape<Thing> {
  static constexpr auto columns =
      std::make_tuple(db::column("id", &Thing::id), db::column("note", &Thing::note),
                      db::column("count", &Thing::count), db::column("ok", &Thing::ok),
                      db::column("at", &Thing::at), db::column("maybe_at", &Thing::maybe_at),
                      db::column("colour", &Thing::colour));
};

namespace {

// Columns in another order than the struct's: they are found by name.
constexpr db::Statement kThings{"read_test_things", R"sql(
  SELECT 'green' AS colour, NULL::timestamptz AS maybe_at, x = 2 AS ok, x::bigint AS count,
         'thing ' || x AS id, CASE WHEN x = 1 THEN 'first' END AS note,
         '2026-12-07 18:24:09.5+00'::timestamptz + x * interval '1 hour' AS at
  FROM generate_series(1, $1::int) x ORDER BY x)sql",
                                1};
constexpr db::Statement kMissing{"read_test_missing", "SELECT 1 AS id", 0};
constexpr db::Statement kBadColour{
    "read_test_bad_colour",
    "SELECT 'x' AS id, NULL AS note, 1::bigint AS count, true AS ok, now() AS at, "
    "NULL::timestamptz AS maybe_at, 'blue' AS colour",
    0};

void expect_things(const std::vector<Thing>& things) {
  ASSERT_EQ(things.size(), 2u);
  EXPECT_EQ(things[0].id, "thing 1");
  EXPECT_EQ(things[0].note, "first");
  EXPECT_FALSE(things[1].note.has_value());
  EXPECT_EQ(things[1].count, 2);
  EXPECT_TRUE(things[1].ok);
  EXPECT_EQ(common::to_rfc3339(things[0].at), "2026-12-07T19:24:09Z");
  EXPECT_FALSE(things[0].maybe_at.has_value());
  EXPECT_EQ(things[0].colour, Colour::green);
}

TEST(ReadRows, ByNameOnTheWorkersPath) {
  db::Pool pool(db::PoolOptions{testing::PostgresCluster::shared().create_migrated_database(), 1});
  for (const auto* statement : {&kThings, &kMissing, &kBadColour}) pool.prepare(*statement);
  pool.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    expect_things(db::read_all<Thing>(db::exec(tx, kThings, 2)));
    EXPECT_FALSE(db::read_first<Thing>(db::exec(tx, kThings, 0)).has_value());
    // A statement that lacks a column, or holds an unknown state, fails loudly.
    EXPECT_THROW(db::read_all<Thing>(db::exec(tx, kMissing)), std::logic_error);
    EXPECT_THROW(db::read_all<Thing>(db::exec(tx, kBadColour)), std::logic_error);
    // And a call with the wrong number of parameters never reaches Postgres.
    EXPECT_THROW(db::exec(tx, kThings), std::logic_error);
  });
  // A declaration whose count disagrees with its SQL is refused when prepared.
  EXPECT_THROW(pool.prepare(db::Statement{"read_test_wrong", "SELECT $1, $2", 1}),
               std::logic_error);
}

TEST(ReadRows, ByNameOnTheAsynchronousPath) {
  const auto url = testing::PostgresCluster::shared().create_migrated_database();
  db::Pool statements(db::PoolOptions{url, 1});
  statements.prepare(kThings);
  db::AsyncOptions options;
  options.url = url;
  // The loop outlives the database, whose connections it watches (as in the server).
  boost::asio::io_context io;
  db::AsyncDatabase database(options, statements);
  database.use(kThings);
  database.attach(io);
  std::vector<Thing> things;
  bool done = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        const auto rows = co_await database.run(kThings, 2);
        things = db::read_all<Thing>(rows);
        done = true;
      },
      boost::asio::detached);
  for (int i = 0; i < 500 && !done; ++i) io.run_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(done);
  expect_things(things);
}

}  // namespace
}  // namespace frontdoor
