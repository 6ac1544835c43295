#include <gtest/gtest.h>

#include "frontdoor/db/migrations.hpp"

namespace frontdoor::db {
namespace {

TEST(LoadMigrations, OrdersByVersionAndChecksumsContent) {
  auto migrations = load_migrations({{"0002_b.sql", "SELECT 2"}, {"0001_a.sql", "SELECT 1"}});
  ASSERT_EQ(migrations.size(), 2u);
  EXPECT_EQ(migrations[0].name, "0001_a.sql");
  EXPECT_EQ(migrations[1].version, 2);
  EXPECT_EQ(migrations[0].checksum.size(), 64u);
  EXPECT_NE(migrations[0].checksum, migrations[1].checksum);
}

TEST(LoadMigrations, RejectsBadNamesAndGaps) {
  EXPECT_THROW(load_migrations({{"1_a.sql", ""}}), MigrationError);
  EXPECT_THROW(load_migrations({{"0001_a.txt", ""}}), MigrationError);
  EXPECT_THROW(load_migrations({{"0001_a.sql", ""}, {"0003_c.sql", ""}}), MigrationError);
  EXPECT_THROW(load_migrations({{"0001_a.sql", ""}, {"0001_b.sql", ""}}), MigrationError);
}

TEST(LoadMigrations, BundledMigrationsAreWellFormed) {
  const auto& bundled = bundled_migrations();
  ASSERT_FALSE(bundled.empty());
  EXPECT_EQ(bundled.front().name, "0001_platform.sql");
}

}  // namespace
}  // namespace frontdoor::db
