// SQL of the properties module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::properties::store {
namespace {

// The time zone is checked against the server's IANA list in the same statement.
constexpr db::Statement kCreate{"properties_create", R"sql(
  INSERT INTO properties (name, site_name, time_zone)
  SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $3)
  RETURNING id, created_at)sql",
                                3};
constexpr db::Statement kGet{"properties_get", R"sql(
  SELECT id, name, site_name, time_zone, allow_visitor_access, property_only_visitor_max_hours,
         ring_timeout_seconds, max_active_passes_per_resident, max_passes_per_resident_per_day,
         directory_mode, front_desk_fallback
  FROM properties WHERE id = $1)sql",
                             1};
// A unit of a property that does not exist fails its foreign key: no row.
constexpr db::Statement kAddUnit{"properties_add_unit", R"sql(
  INSERT INTO units (property_id, label, floor) SELECT id, $2, $3 FROM properties WHERE id = $1
  RETURNING id)sql",
                                 3};
// Keyset pagination on (label, id).
constexpr db::Statement kListUnits{"properties_list_units", R"sql(
  SELECT id, label, floor FROM units
  WHERE property_id = $1 AND ($2::text IS NULL OR (label, id) > ($2, $3::uuid))
  ORDER BY label, id LIMIT $4)sql",
                                   4};
constexpr db::Statement kSettings{"properties_settings", R"sql(
  SELECT allow_visitor_access, property_only_visitor_max_hours, ring_timeout_seconds,
         max_active_passes_per_resident, max_passes_per_resident_per_day, directory_mode,
         front_desk_fallback
  FROM properties WHERE id = $1)sql",
                                  1};
// Old and new values in one round trip, for the audit trail. A limit is set ($5,
// $7 true) to a value or to NULL (no limit).
constexpr db::Statement kChangeSettings{"properties_change_settings", R"sql(
  WITH old AS (SELECT * FROM properties WHERE id = $1 FOR UPDATE)
  UPDATE properties p SET
    allow_visitor_access = coalesce($2, p.allow_visitor_access),
    property_only_visitor_max_hours = coalesce($3, p.property_only_visitor_max_hours),
    ring_timeout_seconds = coalesce($4, p.ring_timeout_seconds),
    max_active_passes_per_resident =
      CASE WHEN $5 THEN $6::integer ELSE p.max_active_passes_per_resident END,
    max_passes_per_resident_per_day =
      CASE WHEN $7 THEN $8::integer ELSE p.max_passes_per_resident_per_day END,
    directory_mode = coalesce($9, p.directory_mode),
    front_desk_fallback = coalesce($10, p.front_desk_fallback)
  FROM old WHERE p.id = old.id
  RETURNING
    old.allow_visitor_access AS old_allow_visitor_access,
    old.property_only_visitor_max_hours AS old_property_only_visitor_max_hours,
    old.ring_timeout_seconds AS old_ring_timeout_seconds,
    old.max_active_passes_per_resident AS old_max_active_passes_per_resident,
    old.max_passes_per_resident_per_day AS old_max_passes_per_resident_per_day,
    old.directory_mode AS old_directory_mode, old.front_desk_fallback AS old_front_desk_fallback,
    p.allow_visitor_access, p.property_only_visitor_max_hours, p.ring_timeout_seconds,
    p.max_active_passes_per_resident, p.max_passes_per_resident_per_day, p.directory_mode,
    p.front_desk_fallback)sql",
                                        10};
constexpr db::Statement kName{"properties_name", "SELECT name FROM properties WHERE id = $1", 1};
constexpr db::Statement kCreatePanel{"properties_create_panel", R"sql(
  INSERT INTO panels (property_id, name, bmx_device_id, key_hash)
  SELECT id, $2, $3, $4 FROM properties WHERE id = $1 RETURNING id)sql",
                                     4};
// Every instance's cache of valid panel keys hears of it on commit
// (auth::kInvalidationChannel).
constexpr db::Statement kRevokePanel{"properties_revoke_panel", R"sql(
  WITH revoked AS (UPDATE panels SET revoked_at = now()
                   WHERE id = $1 AND property_id = $2 AND revoked_at IS NULL RETURNING id)
  SELECT pg_notify('frontdoor_invalidate', 'panel:' || id) FROM revoked)sql",
                                     2};

struct IdRow {
  std::string id;
};
struct NameRow {
  std::string name;
};
// A property's row: its identity and its settings side by side.
struct PropertyRow : Settings {
  std::string id;
  std::string name;
  std::string site_name;
  std::string time_zone;
};
// The settings before a change, read from the old_ columns.
struct OldSettings : Settings {};

}  // namespace
}  // namespace frontdoor::properties::store

namespace frontdoor::db {

using properties::Settings;
using properties::Unit;
using properties::store::Created;
using properties::store::IdRow;
using properties::store::NameRow;
using properties::store::OldSettings;
using properties::store::PropertyRow;

// The settings' columns, with a prefix for the old values of a change.
template <typename Row>
constexpr auto settings_columns(const char* const (&names)[7]) {
  return std::make_tuple(column_of<Row>(names[0], &Settings::allow_visitor_access),
                         column_of<Row>(names[1], &Settings::property_only_visitor_max_hours),
                         column_of<Row>(names[2], &Settings::ring_timeout_seconds),
                         column_of<Row>(names[3], &Settings::max_active_passes_per_resident),
                         column_of<Row>(names[4], &Settings::max_passes_per_resident_per_day),
                         column_of<Row>(names[5], &Settings::directory_mode),
                         column_of<Row>(names[6], &Settings::front_desk_fallback));
}
constexpr const char* kSettingsNames[7] = {"allow_visitor_access",
                                           "property_only_visitor_max_hours",
                                           "ring_timeout_seconds",
                                           "max_active_passes_per_resident",
                                           "max_passes_per_resident_per_day",
                                           "directory_mode",
                                           "front_desk_fallback"};
constexpr const char* kOldSettingsNames[7] = {"old_allow_visitor_access",
                                              "old_property_only_visitor_max_hours",
                                              "old_ring_timeout_seconds",
                                              "old_max_active_passes_per_resident",
                                              "old_max_passes_per_resident_per_day",
                                              "old_directory_mode",
                                              "old_front_desk_fallback"};

template <>
struct Shape<Settings> {
  static constexpr auto columns = settings_columns<Settings>(kSettingsNames);
};
template <>
struct Shape<OldSettings> {
  static constexpr auto columns = settings_columns<OldSettings>(kOldSettingsNames);
};
template <>
struct Shape<PropertyRow> {
  static constexpr auto columns = std::tuple_cat(
      std::make_tuple(column("id", &PropertyRow::id), column("name", &PropertyRow::name),
                      column("site_name", &PropertyRow::site_name),
                      column("time_zone", &PropertyRow::time_zone)),
      settings_columns<PropertyRow>(kSettingsNames));
};
template <>
struct Shape<Created> {
  static constexpr auto columns =
      std::make_tuple(column("id", &Created::id), column("created_at", &Created::created_at));
};
template <>
struct Shape<IdRow> {
  static constexpr auto columns = std::make_tuple(column("id", &IdRow::id));
};
template <>
struct Shape<NameRow> {
  static constexpr auto columns = std::make_tuple(column("name", &NameRow::name));
};
template <>
struct Shape<Unit> {
  static constexpr auto columns = std::make_tuple(
      column("id", &Unit::id), column("label", &Unit::label), column("floor", &Unit::floor));
};

}  // namespace frontdoor::db

namespace frontdoor::properties::store {
namespace {

std::optional<std::string> first_id(const pqxx::result& result) {
  auto row = db::read_first<IdRow>(result);
  if (!row) return std::nullopt;
  return std::move(row->id);
}

}  // namespace

void prepare(db::Pool& pool) {
  for (const auto* statement : {&kCreate, &kGet, &kAddUnit, &kListUnits, &kSettings,
                                &kChangeSettings, &kName, &kCreatePanel, &kRevokePanel}) {
    pool.prepare(*statement);
  }
}

std::optional<Created> insert(pqxx::transaction_base& tx, const NewProperty& property) {
  return db::read_first<Created>(
      db::exec(tx, kCreate, property.name, property.site_name, property.time_zone));
}

std::optional<Property> find(pqxx::transaction_base& tx, const std::string& property_id) {
  auto row = db::read_first<PropertyRow>(db::exec(tx, kGet, property_id));
  if (!row) return std::nullopt;
  return Property{std::move(row->id),           std::move(row->name),
                  std::move(row->site_name),    std::move(row->time_zone),
                  static_cast<Settings&>(*row), std::nullopt};
}

std::optional<std::string> name_of(pqxx::transaction_base& tx, const std::string& property_id) {
  auto row = db::read_first<NameRow>(db::exec(tx, kName, property_id));
  if (!row) return std::nullopt;
  return std::move(row->name);
}

std::optional<Settings> settings_of(pqxx::transaction_base& tx, const std::string& property_id) {
  return db::read_first<Settings>(db::exec(tx, kSettings, property_id));
}

std::optional<SettingsChanged> change_settings(pqxx::transaction_base& tx,
                                               const std::string& property_id,
                                               const SettingsChange& change) {
  const auto& active = change.max_active_passes_per_resident;
  const auto& daily = change.max_passes_per_resident_per_day;
  const auto result = db::exec(tx, kChangeSettings, property_id, change.allow_visitor_access,
                               change.property_only_visitor_max_hours, change.ring_timeout_seconds,
                               active.change, active.to, daily.change, daily.to,
                               change.directory_mode, change.front_desk_fallback);
  const auto before = db::read_first<OldSettings>(result);
  if (!before) return std::nullopt;
  return SettingsChanged{*before, *db::read_first<Settings>(result)};
}

std::optional<std::string> insert_unit(pqxx::transaction_base& tx, const std::string& property_id,
                                       const std::string& label,
                                       const std::optional<std::string>& floor) {
  return first_id(db::exec(tx, kAddUnit, property_id, label, floor));
}

std::vector<Unit> list_units(pqxx::transaction_base& tx, const std::string& property_id,
                             const UnitQuery& query) {
  std::optional<std::string> after_label, after_id;
  if (query.after) {
    after_label = query.after->label;
    after_id = query.after->id;
  }
  return db::read_all<Unit>(
      db::exec(tx, kListUnits, property_id, after_label, after_id, query.limit + 1));
}

std::optional<std::string> insert_panel(pqxx::transaction_base& tx, const std::string& property_id,
                                        const NewPanel& panel, const std::string& key_hash) {
  return first_id(
      db::exec(tx, kCreatePanel, property_id, panel.name, panel.bmx_device_id, key_hash));
}

bool revoke_panel(pqxx::transaction_base& tx, const std::string& property_id,
                  const std::string& panel_id) {
  return !db::exec(tx, kRevokePanel, panel_id, property_id).empty();
}

}  // namespace frontdoor::properties::store
