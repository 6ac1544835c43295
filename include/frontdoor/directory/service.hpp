#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::directory {

inline constexpr int kMaxEntries = 20;

// What a panel shows a visitor: listed, current residents of its own property,
// found by a case- and accent-insensitive prefix of a name. No e-mail, no phone.
class DirectoryService {
 public:
  DirectoryService(db::Pool& pool, int searches_per_minute);
  nlohmann::json search(const auth::Principal& panel, const std::string& query);
  // The SQL of the search, for the db test that checks its plan.
  static std::string search_sql();

 private:
  // A panel key may search this often per minute; a scraper is slowed down.
  bool allow(const std::string& panel_id);

  db::Pool& pool_;
  const int searches_per_minute_;
  std::mutex mutex_;
  std::map<std::string, int> searches_;
  std::chrono::steady_clock::time_point window_{};
};

void add_routes(http::Router& router, DirectoryService& directory,
                const auth::Authenticator& authenticator);

}  // namespace frontdoor::directory
