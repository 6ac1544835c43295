// keyset_page: the one rule every list shares (a store reads limit + 1 rows).
#include "frontdoor/common/keyset.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frontdoor::common {
namespace {

struct Item {
  std::string time;
  std::string id;
};

TimeAndId cursor_of(const Item& item) { return {item.time, item.id}; }

std::vector<Item> items(int count) {
  std::vector<Item> out;
  for (int i = 0; i < count; ++i)
    out.push_back({"t" + std::to_string(i), "id" + std::to_string(i)});
  return out;
}

TEST(KeysetPage, FewerRowsThanTheLimitIsTheLastPage) {
  const auto page = keyset_page<TimeAndId>(items(3), 5, cursor_of);
  EXPECT_EQ(page.items.size(), 3u);
  EXPECT_FALSE(page.next);
}

TEST(KeysetPage, ExactlyTheLimitIsTheLastPageToo) {
  const auto page = keyset_page<TimeAndId>(items(5), 5, cursor_of);
  EXPECT_EQ(page.items.size(), 5u);
  EXPECT_FALSE(page.next);
}

TEST(KeysetPage, TheExtraRowIsDroppedAndTheNextPageStartsAfterTheLastKept) {
  const auto page = keyset_page<TimeAndId>(items(6), 5, cursor_of);
  ASSERT_EQ(page.items.size(), 5u);
  EXPECT_EQ(page.items.back().id, "id4");
  ASSERT_TRUE(page.next);
  EXPECT_EQ(page.next->time, "t4");
  EXPECT_EQ(page.next->id, "id4");
}

TEST(KeysetPage, NoRowsIsAnEmptyLastPage) {
  const auto page = keyset_page<TimeAndId>(std::vector<Item>{}, 20, cursor_of);
  EXPECT_TRUE(page.items.empty());
  EXPECT_FALSE(page.next);
}

}  // namespace
}  // namespace frontdoor::common
