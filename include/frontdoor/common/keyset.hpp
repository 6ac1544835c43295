#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace frontdoor::common {

// Where a newest-first list stands: the last item's creation time (RFC 3339 with
// microseconds) and its id, the keys its statements order by.
struct TimeAndId {
  std::string time;
  std::string id;
};

// What a caller asks of a list: at most `limit` items, after `after` or from the start.
template <typename Cursor>
struct PageQuery {
  int limit = 20;
  std::optional<Cursor> after;
};

// One page: its items, and the cursor the next page starts after (none on the last).
template <typename Item, typename Cursor>
struct Page {
  std::vector<Item> items;
  std::optional<Cursor> next;
};

// The page from items a store read with limit + 1: the extra item only says that
// more follow, and the next page starts after the last item kept.
template <typename Cursor, typename Item, typename CursorOf>
Page<Item, Cursor> keyset_page(std::vector<Item> fetched, int limit, CursorOf cursor_of) {
  Page<Item, Cursor> page;
  const bool more = static_cast<int>(fetched.size()) > limit;
  if (more) fetched.resize(static_cast<std::size_t>(limit));
  page.items = std::move(fetched);
  if (more && !page.items.empty()) page.next = cursor_of(page.items.back());
  return page;
}

}  // namespace frontdoor::common
