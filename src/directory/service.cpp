#include "frontdoor/directory/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/json.hpp"

namespace frontdoor::directory {
// Each name is matched as a range on its folded form ([q, q || U+10FFFF) in
// byte order), which the text_pattern_ops indexes of migration 0006 serve also
// in a generic plan. Exact matches rank first, then last names, first names and
// display names.
std::string DirectoryService::search_sql() {
  const auto match = [](const std::string& column) {
    return "(directory_fold(" + column + ") ~>=~ q.f AND directory_fold(" + column +
           ") ~<~ (q.f || chr(1114111)))";
  };
  return "WITH q AS (SELECT directory_fold($2::text) AS f) "
         "SELECT r.id, coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name), "
         "un.label FROM residencies r CROSS JOIN q JOIN units un ON un.id = r.unit_id "
         "WHERE r.property_id = $1 AND r.moved_out_at IS NULL AND r.directory_listed AND (" +
         match("r.first_name") + " OR " + match("r.last_name") + " OR " +
         match("r.directory_display_name") +
         ") ORDER BY CASE WHEN q.f IN (directory_fold(r.first_name), directory_fold(r.last_name), "
         "directory_fold(r.directory_display_name)) THEN 0 WHEN " +
         match("r.last_name") + " THEN 1 WHEN " + match("r.first_name") +
         " THEN 2 ELSE 3 END, directory_fold(r.last_name), directory_fold(r.first_name), r.id "
         "LIMIT " +
         std::to_string(kMaxEntries);
}

DirectoryService::DirectoryService(db::Pool& pool, int searches_per_minute)
    : pool_(pool), searches_per_minute_(searches_per_minute) {
  pool_.prepare("directory_search", search_sql());
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

nlohmann::json DirectoryService::search(const auth::Principal& panel, const std::string& query) {
  if (!allow(panel.panel_id)) throw common::ApiError::rate_limited(60);
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("directory_search", panel.panel_property_id, query);
  });
  nlohmann::json data = nlohmann::json::array();
  for (const auto& row : rows) {
    data.push_back({{"entry_id", row[0].as<std::string>()},
                    {"display_name", row[1].as<std::string>()},
                    {"unit_label", row[2].as<std::string>()}});
  }
  return {{"data", data}};
}

void add_routes(http::Router& router, DirectoryService& directory,
                const auth::Authenticator& authenticator) {
  router.add("GET", "/v1/panel/directory", [&](http::Request& request) {
    const auto panel = authenticator.require_panel(request);
    const auto q = request.query_param("q");
    if (!q || q->empty() || q->size() > 64 || !common::is_search_text(*q)) {
      throw common::ApiError::validation(
          {{"q", "length", "Give 1 to 64 characters of a resident's name."}});
    }
    return http::json_response(200, directory.search(panel, std::string(*q)));
  });
}

}  // namespace frontdoor::directory
