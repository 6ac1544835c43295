// SQL of the properties module; the service runs these by name.
#include "store.hpp"

#include "frontdoor/db/pool.hpp"

namespace frontdoor::properties::store {

namespace {
constexpr const char* kSettingsColumns =
    "allow_visitor_access, property_only_visitor_max_hours, ring_timeout_seconds";
constexpr const char* kUtc = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
}  // namespace

void prepare(db::Pool& pool) {
  // The time zone is checked against the server's IANA list in the same statement.
  pool.prepare("properties_create",
               std::string("INSERT INTO properties (name, site_name, time_zone) "
                           "SELECT $1, $2, $3 WHERE EXISTS "
                           "(SELECT 1 FROM pg_timezone_names WHERE name = $3) "
                           "RETURNING id, to_char(created_at AT TIME ZONE 'UTC', ") +
                   kUtc + ")");
  pool.prepare("properties_get", std::string("SELECT id, name, site_name, time_zone, ") +
                                     kSettingsColumns + " FROM properties WHERE id = $1");
  pool.prepare("properties_add_unit",
               "INSERT INTO units (property_id, label, floor) VALUES ($1, $2, $3) "
               "RETURNING id");
  // Keyset pagination on (label, id).
  pool.prepare("properties_list_units",
               "SELECT id, label, floor FROM units WHERE property_id = $1 "
               "AND ($2::text IS NULL OR (label, id) > ($2, $3::uuid)) "
               "ORDER BY label, id LIMIT $4");
  pool.prepare("properties_settings",
               std::string("SELECT ") + kSettingsColumns + " FROM properties WHERE id = $1");
  // Old and new values in one round trip, for the audit trail.
  pool.prepare("properties_change_settings",
               std::string("WITH old AS (SELECT id, ") + kSettingsColumns +
                   " FROM properties WHERE id = $1 FOR UPDATE) "
                   "UPDATE properties p SET "
                   "allow_visitor_access = coalesce($2, p.allow_visitor_access), "
                   "property_only_visitor_max_hours = "
                   "  coalesce($3, p.property_only_visitor_max_hours), "
                   "ring_timeout_seconds = coalesce($4, p.ring_timeout_seconds) "
                   "FROM old WHERE p.id = old.id RETURNING "
                   "old.allow_visitor_access, old.property_only_visitor_max_hours, "
                   "old.ring_timeout_seconds, p.allow_visitor_access, "
                   "p.property_only_visitor_max_hours, p.ring_timeout_seconds");
  pool.prepare("properties_name", "SELECT name FROM properties WHERE id = $1");
  pool.prepare("properties_create_panel",
               "INSERT INTO panels (property_id, name, bmx_device_id, key_hash) "
               "VALUES ($1, $2, $3, $4) RETURNING id");
  pool.prepare("properties_revoke_panel",
               "UPDATE panels SET revoked_at = now() WHERE id = $1 AND property_id = $2 "
               "AND revoked_at IS NULL");
}

}  // namespace frontdoor::properties::store
