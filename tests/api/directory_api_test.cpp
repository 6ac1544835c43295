// The panel's directory through frontdoor's real API: accents and case folded,
// only listed residents of the panel's own property, a privacy name, nothing
// personal in an entry, and the search's bad inputs.
#include <gtest/gtest.h>

#include <string>

#include "calls_fixture.hpp"

namespace frontdoor {
namespace {

class DirectoryApi : public testing::CallsFixture {};

TEST_F(DirectoryApi, TheDirectoryFoldsAccentsAndCaseAndShowsOnlyListedResidentsHere) {
  auto jose = world.resident(property, "José", "Álvarez");
  auto hidden = world.resident(property, "Joseph", "Hidden");
  world.client().send("PATCH", "/v1/me/directory", R"({"listed": false})", hidden.auth());
  world.resident(world.property("elsewhere"), "Josefa", "Elsewhere");

  auto found = directory("jose")["data"];
  ASSERT_EQ(found.size(), 1u) << found;
  EXPECT_EQ(found[0]["display_name"], "José Álvarez");
  EXPECT_EQ(found[0].size(), 3u);  // entry_id, display_name, unit_label: nothing personal
  EXPECT_EQ(directory("%C3%81LV")["data"].size(), 1u);  // "ÁLV"
  EXPECT_EQ(directory("garc")["data"][0]["display_name"], "Ana Garcia");
  EXPECT_TRUE(directory("zzz")["data"].empty());
  EXPECT_TRUE(directory("%25")["data"].empty());  // "%" is a character, not a wildcard

  // A privacy name replaces first and last name on the panel.
  auto renamed =
      world.client().send("PATCH", "/v1/me/directory", R"({"display_name": "J. A."})", jose.auth());
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(directory("j.%20a")["data"][0]["display_name"], "J. A.");

  EXPECT_EQ(world.client().get("/v1/panel/directory?q=", panel()).status, 422);
  EXPECT_EQ(world.client().get("/v1/panel/directory?q=" + std::string(65, 'a'), panel()).status,
            422);
  EXPECT_EQ(world.client().get("/v1/panel/directory?q=%FF%FE", panel()).status, 422);
  EXPECT_EQ(world.client().get("/v1/panel/directory?q=ana", ana.auth()).status, 403);
}

}  // namespace
}  // namespace frontdoor
