// SQL of the directory module, behind the typed functions of store.hpp.
#include "store.hpp"

#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::directory::store {
namespace {

// In residents mode: residents who live here now (people's current_residents
// view) and their unit's label (properties' unit_labels). In units mode
// (property_rules.directory_mode): the property's units, by label, each listed
// whether or not anyone there can take calls now (the call says so). Each name
// is matched as a range on its folded form ([q, q || U+10FFFF) in byte order),
// which the text_pattern_ops indexes of migrations 0006 and 0014 serve also in a
// generic plan; the folded query is written out where it is used, because a CTE
// would hide it from the index conditions. Exact matches rank first, then last
// names, first names and display names; units by label. Both LIMITs are
// kMaxEntries (20).
constexpr db::Statement kSearch{"directory_search", R"sql(
  (SELECT r.id AS entry_id,
          coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name) AS display_name,
          un.label AS unit_label
   FROM current_residents r JOIN unit_labels un ON un.id = r.unit_id
   WHERE r.property_id = $1 AND r.directory_listed
     AND (SELECT directory_mode FROM property_rules WHERE id = $1::uuid) = 'residents'
     AND ((directory_fold(r.first_name) ~>=~ directory_fold($2::text)
           AND directory_fold(r.first_name) ~<~ (directory_fold($2::text) || chr(1114111)))
       OR (directory_fold(r.last_name) ~>=~ directory_fold($2::text)
           AND directory_fold(r.last_name) ~<~ (directory_fold($2::text) || chr(1114111)))
       OR (directory_fold(r.directory_display_name) ~>=~ directory_fold($2::text)
           AND directory_fold(r.directory_display_name)
               ~<~ (directory_fold($2::text) || chr(1114111))))
   ORDER BY
     CASE WHEN directory_fold($2::text) IN (directory_fold(r.first_name),
                                            directory_fold(r.last_name),
                                            directory_fold(r.directory_display_name)) THEN 0
          WHEN (directory_fold(r.last_name) ~>=~ directory_fold($2::text)
                AND directory_fold(r.last_name) ~<~ (directory_fold($2::text) || chr(1114111)))
            THEN 1
          WHEN (directory_fold(r.first_name) ~>=~ directory_fold($2::text)
                AND directory_fold(r.first_name) ~<~ (directory_fold($2::text) || chr(1114111)))
            THEN 2
          ELSE 3 END,
     directory_fold(r.last_name), directory_fold(r.first_name), r.id
   LIMIT 20)
  UNION ALL
  (SELECT un.id, un.label, un.label FROM unit_labels un
   WHERE un.property_id = $1
     AND (SELECT directory_mode FROM property_rules WHERE id = $1::uuid) = 'units'
     AND (directory_fold(un.label) ~>=~ directory_fold($2::text)
          AND directory_fold(un.label) ~<~ (directory_fold($2::text) || chr(1114111)))
   ORDER BY directory_fold(un.label) <> directory_fold($2::text), directory_fold(un.label), un.id
   LIMIT 20))sql",
                                2};
static_assert(kMaxEntries == 20, "kSearch's two LIMITs are kMaxEntries");

// A panel's searches, counted for every instance together (http's rate_limit_take).
constexpr db::Statement kTakeSearch{"directory_take_search", R"sql(
  SELECT rate_limit_take('directory:' || $1, $2, 60) AS wait_seconds)sql",
                                    2};

struct WaitRow {
  long long wait_seconds = 0;
};

}  // namespace
}  // namespace frontdoor::directory::store

template <>
struct frontdoor::db::Shape<frontdoor::directory::Entry> {
  using Row = directory::Entry;
  static constexpr auto columns = std::make_tuple(column("entry_id", &Row::entry_id),
                                                  column("display_name", &Row::display_name),
                                                  column("unit_label", &Row::unit_label));
};
template <>
struct frontdoor::db::Shape<frontdoor::directory::store::WaitRow> {
  using Row = directory::store::WaitRow;
  static constexpr auto columns = std::make_tuple(column("wait_seconds", &Row::wait_seconds));
};

namespace frontdoor::directory::store {

std::string search_sql() { return std::string(kSearch.sql); }

void prepare(db::Pool& pool, db::AsyncDatabase& database) {
  for (const auto* statement : {&kSearch, &kTakeSearch}) {
    pool.prepare(*statement);
    database.use(*statement);
  }
}

boost::asio::awaitable<bool> search_allowed(db::AsyncDatabase& database,
                                            const std::string& panel_id, int per_minute) {
  const auto rows = co_await database.run(kTakeSearch, panel_id, per_minute);
  co_return db::read_one<WaitRow>(rows).wait_seconds == 0;
}

boost::asio::awaitable<std::vector<Entry>> search(db::AsyncDatabase& database,
                                                  const std::string& property_id,
                                                  const std::string& query) {
  const auto rows = co_await database.run(kSearch, property_id, query);
  co_return db::read_all<Entry>(rows);
}

}  // namespace frontdoor::directory::store
