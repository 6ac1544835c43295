// The panel's directory search is served by its indexes on a large table, in the
// generic plan a prepared statement ends up with, and folds accents and case.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "../support/postgres.hpp"
#include "frontdoor/directory/service.hpp"

namespace frontdoor {
namespace {

using testing::PostgresCluster;

class DirectoryPlan : public ::testing::Test {
 protected:
  DirectoryPlan() : connection(PostgresCluster::shared().create_migrated_database()) {
    pqxx::work tx(connection);
    // 40 properties of 1,000 residents each; one of them is José Álvarez.
    tx.exec(
        "INSERT INTO properties (id, name, site_name, time_zone) "
        "SELECT ('00000000-0000-0000-0000-' || lpad(p::text, 12, '0'))::uuid, 'P' || p, "
        "'site-' || p, 'UTC' FROM generate_series(1, 40) p");
    tx.exec("INSERT INTO units (property_id, label) SELECT id, 'U1' FROM properties");
    tx.exec(
        "INSERT INTO users (email, display_name) SELECT 'u' || i || '@example.com', 'U' || i "
        "FROM generate_series(1, 40000) i");
    tx.exec(
        "INSERT INTO residencies (property_id, unit_id, user_id, first_name, last_name, "
        "directory_listed, email) "
        "SELECT un.property_id, un.id, u.id, md5(u.email), md5(u.display_name), "
        "(substr(u.display_name, 2)::int % 10) <> 0, u.email "
        "FROM users u JOIN units un ON un.property_id = ('00000000-0000-0000-0000-' || "
        "lpad(((substr(u.display_name, 2)::int % 40) + 1)::text, 12, '0'))::uuid");
    tx.exec(
        "UPDATE residencies SET first_name = 'José', last_name = 'Álvarez' "
        "WHERE id = (SELECT id FROM residencies WHERE directory_listed AND property_id = "
        "'00000000-0000-0000-0000-000000000007' LIMIT 1)");
    tx.commit();
    pqxx::nontransaction analyze(connection);
    analyze.exec("ANALYZE");
  }

  pqxx::connection connection;
};

TEST_F(DirectoryPlan, TheGenericPlanUsesTheDirectoryIndexes) {
  pqxx::nontransaction tx(connection);
  tx.exec("SET plan_cache_mode = force_generic_plan");
  tx.exec("PREPARE search(uuid, text) AS " + directory::DirectoryService::search_sql());
  std::string plan;
  for (const auto& row :
       tx.exec("EXPLAIN EXECUTE search('00000000-0000-0000-0000-000000000007', 'jos')")) {
    plan += row[0].as<std::string>() + "\n";
  }
  EXPECT_NE(plan.find("residencies_directory_first"), std::string::npos) << plan;
  EXPECT_NE(plan.find("residencies_directory_last"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan on residencies"), std::string::npos) << plan;

  auto found = tx.exec("EXECUTE search('00000000-0000-0000-0000-000000000007', 'JOSE')");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0][1].as<std::string>(), "José Álvarez");
  EXPECT_EQ(tx.exec("EXECUTE search('00000000-0000-0000-0000-000000000007', 'álv')").size(), 1u);
  // Another property's José is not this panel's.
  EXPECT_TRUE(tx.exec("EXECUTE search('00000000-0000-0000-0000-000000000008', 'jose')").empty());
}

}  // namespace
}  // namespace frontdoor
