// SQL of the directory module, behind the typed functions of store.hpp.
#include "store.hpp"

#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::directory::store {

// In residents mode: residents who live here now (people's current_residents
// view) and their unit's label (properties' unit_labels). In units mode
// (property_rules.directory_mode): the property's units, by label, each listed
// whether or not anyone there can take calls now (the call says so). Each name is
// matched as a range on its folded form ([q, q || U+10FFFF) in byte order), which
// the text_pattern_ops indexes of migrations 0006 and 0014 serve also in a generic
// plan. Exact matches rank first, then last names, first names and display
// names; units by label.
std::string search_sql() {
  // The folded query, written out where it is used: a CTE would hide it from the
  // index conditions of the generic plan.
  static const std::string kQuery = "directory_fold($2::text)";
  const auto match = [](const std::string& column) {
    return "(directory_fold(" + column + ") ~>=~ " + kQuery + " AND directory_fold(" + column +
           ") ~<~ (" + kQuery + " || chr(1114111)))";
  };
  const auto limit = " LIMIT " + std::to_string(kMaxEntries);
  const std::string mode = "(SELECT directory_mode FROM property_rules WHERE id = $1::uuid)";
  return "(SELECT r.id, coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name), "
         "un.label FROM current_residents r JOIN unit_labels un ON un.id = r.unit_id "
         "WHERE r.property_id = $1 AND r.directory_listed AND " +
         mode + " = 'residents' AND (" + match("r.first_name") + " OR " + match("r.last_name") +
         " OR " + match("r.directory_display_name") + ") ORDER BY CASE WHEN " + kQuery +
         " IN (directory_fold(r.first_name), directory_fold(r.last_name), "
         "directory_fold(r.directory_display_name)) THEN 0 WHEN " +
         match("r.last_name") + " THEN 1 WHEN " + match("r.first_name") +
         " THEN 2 ELSE 3 END, directory_fold(r.last_name), directory_fold(r.first_name), r.id" +
         limit +
         ") UNION ALL (SELECT un.id, un.label, un.label FROM unit_labels un "
         "WHERE un.property_id = $1 AND " +
         mode + " = 'units' AND " + match("un.label") + " ORDER BY directory_fold(un.label) <> " +
         kQuery + ", directory_fold(un.label), un.id" + limit + ")";
}

void prepare(db::Pool& pool, db::AsyncDatabase& database) {
  pool.prepare("directory_search", search_sql());
  database.use("directory_search");
  // A panel's searches, counted for every instance together (http's rate_limit_take).
  pool.prepare("directory_take_search", "SELECT rate_limit_take('directory:' || $1, $2, 60)");
  database.use("directory_take_search");
}

boost::asio::awaitable<bool> search_allowed(db::AsyncDatabase& database,
                                            const std::string& panel_id, int per_minute) {
  const auto rows = co_await database.run("directory_take_search", panel_id, per_minute);
  co_return rows[0][0].as<long long>() == 0;
}

boost::asio::awaitable<std::vector<Entry>> search(db::AsyncDatabase& database,
                                                  const std::string& property_id,
                                                  const std::string& query) {
  const auto rows = co_await database.run("directory_search", property_id, query);
  std::vector<Entry> entries;
  entries.reserve(rows.size());
  for (const auto row : rows) {
    entries.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  co_return entries;
}

}  // namespace frontdoor::directory::store
