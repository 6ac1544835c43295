#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "frontdoor/auth/principal.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::directory {

inline constexpr int kMaxEntries = 20;

// One line of the panel's directory: nothing personal.
struct Entry {
  std::string entry_id;
  std::string display_name;
  std::string unit_label;
};

// What a panel shows a visitor: listed, current residents of its own property,
// found by a case- and accent-insensitive prefix of a name; or, when the property
// lists households (directory_mode "units"), its units by label. No e-mail, no
// phone.
// A search is one statement, run on the I/O thread without blocking it.
class DirectoryService {
 public:
  DirectoryService(db::Pool& pool, db::AsyncDatabase& database, int searches_per_minute);
  // 429 when the panel searched too often this minute.
  boost::asio::awaitable<std::vector<Entry>> search(const auth::Principal& panel,
                                                    const std::string& query);
  // The SQL of the search, for the db test that checks its plan.
  static std::string search_sql();

 private:
  db::AsyncDatabase& database_;
  // A panel key may search this often per minute (on all instances together);
  // a scraper is slowed down.
  const int searches_per_minute_;
};

}  // namespace frontdoor::directory
