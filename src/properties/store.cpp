// SQL of the properties module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::properties::store {

namespace {
constexpr const char* kSettingsColumns =
    "allow_visitor_access, property_only_visitor_max_hours, ring_timeout_seconds, "
    "max_active_passes_per_resident, max_passes_per_resident_per_day, directory_mode, "
    "front_desk_fallback";
constexpr int kSettingsCount = 7;
constexpr const char* kUtc = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

Settings settings_from(const pqxx::row& row, int first) {
  return {row[first].as<bool>(),
          row[first + 1].as<int>(),
          row[first + 2].as<int>(),
          db::optional_of<int>(row[first + 3]),
          db::optional_of<int>(row[first + 4]),
          row[first + 5].as<std::string>(),
          row[first + 6].as<bool>()};
}

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
  // A unit of a property that does not exist fails its foreign key: no row.
  pool.prepare("properties_add_unit",
               "INSERT INTO units (property_id, label, floor) "
               "SELECT id, $2, $3 FROM properties WHERE id = $1 RETURNING id");
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
                   "ring_timeout_seconds = coalesce($4, p.ring_timeout_seconds), "
                   // A limit is set ($5/$7 true) to a value or to NULL (no limit).
                   "max_active_passes_per_resident = CASE WHEN $5 THEN $6::integer "
                   "  ELSE p.max_active_passes_per_resident END, "
                   "max_passes_per_resident_per_day = CASE WHEN $7 THEN $8::integer "
                   "  ELSE p.max_passes_per_resident_per_day END, "
                   "directory_mode = coalesce($9, p.directory_mode), "
                   "front_desk_fallback = coalesce($10, p.front_desk_fallback) "
                   "FROM old WHERE p.id = old.id RETURNING "
                   "old.allow_visitor_access, old.property_only_visitor_max_hours, "
                   "old.ring_timeout_seconds, old.max_active_passes_per_resident, "
                   "old.max_passes_per_resident_per_day, old.directory_mode, "
                   "old.front_desk_fallback, p.allow_visitor_access, "
                   "p.property_only_visitor_max_hours, p.ring_timeout_seconds, "
                   "p.max_active_passes_per_resident, p.max_passes_per_resident_per_day, "
                   "p.directory_mode, p.front_desk_fallback");
  pool.prepare("properties_name", "SELECT name FROM properties WHERE id = $1");
  pool.prepare("properties_create_panel",
               "INSERT INTO panels (property_id, name, bmx_device_id, key_hash) "
               "SELECT id, $2, $3, $4 FROM properties WHERE id = $1 RETURNING id");
  // Every instance's cache of valid panel keys hears of it on commit
  // (auth::kInvalidationChannel).
  pool.prepare("properties_revoke_panel",
               "WITH revoked AS (UPDATE panels SET revoked_at = now() WHERE id = $1 "
               "AND property_id = $2 AND revoked_at IS NULL RETURNING id) "
               "SELECT pg_notify('frontdoor_invalidate', 'panel:' || id) FROM revoked");
}

std::optional<Created> insert(pqxx::transaction_base& tx, const NewProperty& property) {
  const auto rows =
      tx.exec_prepared("properties_create", property.name, property.site_name, property.time_zone);
  if (rows.empty()) return std::nullopt;
  return Created{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

std::optional<Property> find(pqxx::transaction_base& tx, const std::string& property_id) {
  const auto rows = tx.exec_prepared("properties_get", property_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return Property{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                  row[3].as<std::string>(), settings_from(row, 4),    std::nullopt};
}

std::optional<std::string> name_of(pqxx::transaction_base& tx, const std::string& property_id) {
  const auto rows = tx.exec_prepared("properties_name", property_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::optional<Settings> settings_of(pqxx::transaction_base& tx, const std::string& property_id) {
  const auto rows = tx.exec_prepared("properties_settings", property_id);
  if (rows.empty()) return std::nullopt;
  return settings_from(rows[0], 0);
}

std::optional<SettingsChanged> change_settings(pqxx::transaction_base& tx,
                                               const std::string& property_id,
                                               const SettingsChange& change) {
  const auto& active = change.max_active_passes_per_resident;
  const auto& daily = change.max_passes_per_resident_per_day;
  const auto rows = tx.exec_prepared(
      "properties_change_settings", property_id, change.allow_visitor_access,
      change.property_only_visitor_max_hours, change.ring_timeout_seconds, active.change, active.to,
      daily.change, daily.to, change.directory_mode, change.front_desk_fallback);
  if (rows.empty()) return std::nullopt;
  return SettingsChanged{settings_from(rows[0], 0), settings_from(rows[0], kSettingsCount)};
}

std::optional<std::string> insert_unit(pqxx::transaction_base& tx, const std::string& property_id,
                                       const std::string& label,
                                       const std::optional<std::string>& floor) {
  const auto rows = tx.exec_prepared("properties_add_unit", property_id, label, floor);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::vector<Unit> list_units(pqxx::transaction_base& tx, const std::string& property_id,
                             const UnitQuery& query) {
  std::optional<std::string> after_label, after_id;
  if (query.after) {
    after_label = query.after->label;
    after_id = query.after->id;
  }
  std::vector<Unit> units;
  for (const auto& row : tx.exec_prepared("properties_list_units", property_id, after_label,
                                          after_id, query.limit + 1)) {
    units.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), db::optional_of<std::string>(row[2])});
  }
  return units;
}

std::optional<std::string> insert_panel(pqxx::transaction_base& tx, const std::string& property_id,
                                        const NewPanel& panel, const std::string& key_hash) {
  const auto rows = tx.exec_prepared("properties_create_panel", property_id, panel.name,
                                     panel.bmx_device_id, key_hash);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

bool revoke_panel(pqxx::transaction_base& tx, const std::string& property_id,
                  const std::string& panel_id) {
  return !tx.exec_prepared("properties_revoke_panel", panel_id, property_id).empty();
}

}  // namespace frontdoor::properties::store
