// The audit trail as a property's managers read it.
#include <gtest/gtest.h>

#include <string>

#include "property_fixture.hpp"

namespace frontdoor {
namespace {

class AuditApi : public testing::PropertyFixture {};

TEST_F(AuditApi, AuditTrailPagesNewestFirst) {
  auto manager = world.staff(property, "manager");
  for (int i = 0; i < 3; ++i) world.unit(manager, property, "P" + std::to_string(i));
  auto first = world.client().get(base() + "/audit?limit=2", manager.auth()).json();
  ASSERT_EQ(first["data"].size(), 2u);
  EXPECT_EQ(first["data"][0]["details"]["label"], "P2");
  EXPECT_EQ(first["data"][1]["details"]["label"], "P1");
  auto second = world.client()
                    .get(base() + "/audit?limit=2&cursor=" + std::string(first["next_cursor"]),
                         manager.auth())
                    .json();
  EXPECT_EQ(second["data"][0]["details"]["label"], "P0");
}

}  // namespace
}  // namespace frontdoor
