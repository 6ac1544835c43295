#include "frontdoor/common/expiring_cache.hpp"

#include <gtest/gtest.h>

namespace frontdoor::common {
namespace {

using namespace std::chrono_literals;

struct FakeNow {
  std::chrono::steady_clock::time_point at{};
  ExpiringCache<int>::Now function() {
    return [this] { return at; };
  }
};

TEST(ExpiringCache, ServesAnEntryUntilItsTtlEnds) {
  FakeNow now;
  ExpiringCache<int> cache(10s, 100, now.function());
  cache.put("a", 1);
  EXPECT_EQ(cache.get("a"), 1);
  now.at += 9s;
  EXPECT_EQ(cache.get("a"), 1);
  now.at += 1s;
  EXPECT_EQ(cache.get("a"), std::nullopt);
  EXPECT_EQ(cache.get("never"), std::nullopt);
}

TEST(ExpiringCache, StaysWithinItsBoundDroppingExpiredEntriesFirst) {
  FakeNow now;
  ExpiringCache<int> cache(10s, 3, now.function());
  cache.put("old", 0);
  now.at += 11s;
  cache.put("b", 1);
  cache.put("c", 2);
  cache.put("d", 3);  // full: the expired "old" makes room
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.get("b"), 1);
  EXPECT_EQ(cache.get("d"), 3);
  cache.put("e", 4);  // full and nothing expired: starts over
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.get("e"), 4);
  EXPECT_EQ(cache.get("b"), std::nullopt);
}

TEST(ExpiringCache, ErasesEntriesByValue) {
  ExpiringCache<int> cache(10s, 10);
  cache.put("a", 1);
  cache.put("b", 2);
  cache.put("c", 1);
  cache.erase_if([](int value) { return value == 1; });
  EXPECT_EQ(cache.get("a"), std::nullopt);
  EXPECT_EQ(cache.get("c"), std::nullopt);
  EXPECT_EQ(cache.get("b"), 2);
}

}  // namespace
}  // namespace frontdoor::common
