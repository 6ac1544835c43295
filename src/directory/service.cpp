#include "frontdoor/directory/service.hpp"

#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::directory {
// Residents who live here now (people's current_residents view) and their unit's
// label (properties' unit_labels). Each name is matched as a range on its folded form ([q, q ||
// U+10FFFF) in byte order), which the text_pattern_ops indexes of migration 0006 serve also in a
// generic plan. Exact matches rank first, then last names, first names and display names.
std::string DirectoryService::search_sql() {
  const auto match = [](const std::string& column) {
    return "(directory_fold(" + column + ") ~>=~ q.f AND directory_fold(" + column +
           ") ~<~ (q.f || chr(1114111)))";
  };
  return "WITH q AS (SELECT directory_fold($2::text) AS f) "
         "SELECT r.id, coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name), "
         "un.label FROM current_residents r CROSS JOIN q JOIN unit_labels un ON un.id = r.unit_id "
         "WHERE r.property_id = $1 AND r.directory_listed AND (" +
         match("r.first_name") + " OR " + match("r.last_name") + " OR " +
         match("r.directory_display_name") +
         ") ORDER BY CASE WHEN q.f IN (directory_fold(r.first_name), directory_fold(r.last_name), "
         "directory_fold(r.directory_display_name)) THEN 0 WHEN " +
         match("r.last_name") + " THEN 1 WHEN " + match("r.first_name") +
         " THEN 2 ELSE 3 END, directory_fold(r.last_name), directory_fold(r.first_name), r.id "
         "LIMIT " +
         std::to_string(kMaxEntries);
}

DirectoryService::DirectoryService(db::Pool& pool, db::AsyncDatabase& database,
                                   int searches_per_minute)
    : database_(database), searches_per_minute_(searches_per_minute) {
  pool.prepare("directory_search", search_sql());
  database_.use("directory_search");
}

bool DirectoryService::allow(const std::string& panel_id) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - window_ > std::chrono::minutes(1)) {
    searches_.clear();
    window_ = now;
  }
  return ++searches_[panel_id] <= searches_per_minute_;
}

boost::asio::awaitable<std::vector<Entry>> DirectoryService::search(const auth::Principal& panel,
                                                                    const std::string& query) {
  if (!allow(panel.panel_id)) throw common::ApiError::rate_limited(60);
  const auto rows = co_await database_.run("directory_search", panel.panel_property_id, query);
  std::vector<Entry> entries;
  entries.reserve(rows.size());
  for (const auto row : rows) {
    entries.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  co_return entries;
}

}  // namespace frontdoor::directory
