// SQL of the visitors module. The property's settings and the host's residency
// are read in the same round trip as the rule that needs them, through the views
// their owners publish (docs/tables.md): property_rules, current_residents,
// person_names, pass_states.
#include "store.hpp"

#include <string>

#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::visitors::store {
namespace {

// A visitor as the apps see it, with its pass; $2 is "now".
const std::string kColumns =
    "v.id, v.name, v.phone, v.email, v.access, rfc3339(v.starts_at), rfc3339(v.ends_at), "
    "rfc3339(v.created_at), p.status, p.failure_code, p.failure_reason, rfc3339(p.arrived_at), "
    "CASE WHEN p.status = 'revoked' THEN 'revoked' WHEN v.ends_at <= $2::timestamptz "
    "THEN 'expired' WHEN p.arrived_at IS NOT NULL THEN 'arrived' "
    "WHEN v.starts_at > $2::timestamptz THEN 'scheduled' ELSE 'active' END, "
    "to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "v.property_id";

// Newest first, keyset on (created_at, id). The first page has its own
// statement, so no plan has to keep a "no cursor" branch (and the benchmark's
// pgbench runs exactly this text).
std::string list_sql(const std::string& owner_column, bool after_cursor) {
  return "SELECT " + kColumns +
         " FROM visitors v JOIN pass_states p ON p.visitor_id = v.id WHERE v." + owner_column +
         " = $1 " +
         (after_cursor ? "AND (v.created_at, v.id) < ($3::timestamptz, $4::uuid) "
                         "ORDER BY v.created_at DESC, v.id DESC LIMIT $5"
                       : "ORDER BY v.created_at DESC, v.id DESC LIMIT $3");
}

}  // namespace

void prepare(db::Pool& pool) {
  pool.prepare("visitors_resident_context",
               "SELECT r.property_id, pr.name, pr.time_zone, pr.allow_visitor_access, "
               "pr.property_only_visitor_max_hours, r.first_name || ' ' || r.last_name "
               "FROM current_residents r JOIN property_rules pr ON pr.id = r.property_id "
               "WHERE r.user_id = $1 AND r.property_id = $2");
  pool.prepare("visitors_property_context",
               "SELECT name, time_zone, allow_visitor_access FROM property_rules WHERE id = $1");
  pool.prepare("visitors_inviter_name", "SELECT display_name FROM person_names WHERE id = $1");
  pool.prepare("visitors_insert",
               "INSERT INTO visitors (property_id, host_user_id, created_by, name, phone, email, "
               "access, visitor_user_id, starts_at, ends_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id, "
               "to_char(starts_at AT TIME ZONE $11, 'Dy DD Mon HH24:MI') || ' to ' || "
               "to_char(ends_at AT TIME ZONE $11, CASE WHEN (starts_at AT TIME ZONE $11)::date "
               "= (ends_at AT TIME ZONE $11)::date THEN 'HH24:MI' "
               "ELSE 'Dy DD Mon HH24:MI' END)");
  pool.prepare("visitors_get", "SELECT " + kColumns +
                                   ", v.host_user_id FROM visitors v "
                                   "JOIN pass_states p ON p.visitor_id = v.id WHERE v.id = $1");
  pool.prepare("visitors_list_host_first", list_sql("host_user_id", false));
  pool.prepare("visitors_list_host_after", list_sql("host_user_id", true));
  pool.prepare("visitors_list_property_first", list_sql("property_id", false));
  pool.prepare("visitors_list_property_after", list_sql("property_id", true));
}

void use_on_the_io_threads(db::AsyncDatabase& database) {
  // A resident's own list is read on the I/O thread, without blocking it.
  database.use("visitors_list_host_first");
  database.use("visitors_list_host_after");
}

}  // namespace frontdoor::visitors::store
