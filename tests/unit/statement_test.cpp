// The data layer's pure parts: statement declarations and timestamps as Postgres writes them.
#include "frontdoor/db/statement.hpp"

#include <gtest/gtest.h>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/read.hpp"

namespace frontdoor::db {
namespace {

TEST(Statement, TheHighestParameterIgnoresLiteralsAndComments) {
  EXPECT_EQ(highest_parameter("SELECT 1"), 0);
  EXPECT_EQ(highest_parameter("SELECT $1, $2::text WHERE x = $12"), 12);
  EXPECT_EQ(highest_parameter("SELECT '$9' || $1 -- $8\n, \"$7\""), 1);
}

TEST(Statement, ADeclarationThatDisagreesWithItsSqlIsRefused) {
  EXPECT_NO_THROW(check_declaration({"ok", "SELECT $1, $2", 2}));
  EXPECT_THROW(check_declaration({"short", "SELECT $1, $2", 1}), std::logic_error);
  EXPECT_THROW(check_declaration({"long", "SELECT $1", 3}), std::logic_error);
}

TEST(ReadTimestamp, EveryFormPostgresWrites) {
  const auto at = [](const char* text) {
    const auto time = common::parse_sql_timestamp(text);
    return time ? common::to_rfc3339(*time) : std::string("none");
  };
  EXPECT_EQ(at("2026-12-07 18:24:09+00"), "2026-12-07T18:24:09Z");
  EXPECT_EQ(at("2026-12-07 18:24:09.242993+00"), "2026-12-07T18:24:09Z");
  EXPECT_EQ(at("2026-12-07 13:24:09-05"), "2026-12-07T18:24:09Z");
  EXPECT_EQ(at("2026-12-07 23:54:09+05:30"), "2026-12-07T18:24:09Z");
  EXPECT_EQ(at("2026-12-07T18:24:09Z"), "2026-12-07T18:24:09Z");
  const auto micro = common::parse_sql_timestamp("2026-12-07 18:24:09.5+00");
  ASSERT_TRUE(micro.has_value());
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::microseconds>(micro->time_since_epoch()).count() %
          1000000,
      500000);
  for (const char* bad :
       {"", "2026-13-07 18:24:09+00", "2026-12-07", "yesterday", "2026-12-07 18:24:09+0x"}) {
    EXPECT_FALSE(common::parse_sql_timestamp(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace frontdoor::db
