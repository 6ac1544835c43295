// SQL of the people module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::people::store {
namespace {

constexpr db::Statement kPropertyName{"people_property_name",
                                      "SELECT name AS value FROM property_rules WHERE id = $1", 1};
// The manager's e-mail and phone are kept on the residency: an existing
// account's own details are neither changed nor shown to this property.
constexpr db::Statement kMoveIn{"people_move_in", R"sql(
  INSERT INTO residencies (property_id, unit_id, user_id, first_name, last_name,
                           directory_listed, email, phone)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id AS value)sql",
                                8};
constexpr db::Statement kResident{"people_resident", R"sql(
  SELECT r.id, r.user_id, r.unit_id, un.label AS unit_label, r.first_name, r.last_name, r.email,
         r.phone, r.directory_listed, r.moved_in_at
  FROM residencies r JOIN unit_labels un ON un.id = r.unit_id WHERE r.id = $1)sql",
                                  1};
// Keyset pagination on (last name, first name, id); the prefix matches either name.
constexpr db::Statement kListResidents{"people_list_residents", R"sql(
  SELECT r.id, r.user_id, r.unit_id, un.label AS unit_label, r.first_name, r.last_name, r.email,
         r.phone, r.directory_listed, r.moved_in_at,
         lower(r.last_name) AS last_key, lower(r.first_name) AS first_key
  FROM residencies r JOIN unit_labels un ON un.id = r.unit_id
  WHERE r.property_id = $1 AND r.moved_out_at IS NULL
    AND ($2::text IS NULL OR starts_with(lower(r.first_name), lower($2))
         OR starts_with(lower(r.last_name), lower($2)))
    AND ($3::text IS NULL OR (lower(r.last_name), lower(r.first_name), r.id) > ($3, $4, $5::uuid))
  ORDER BY lower(r.last_name), lower(r.first_name), r.id LIMIT $6)sql",
                                       6};
constexpr db::Statement kPropertyOfResidency{
    "people_property_of_residency", "SELECT property_id AS value FROM residencies WHERE id = $1",
    1};
constexpr db::Statement kMoveOut{"people_move_out", R"sql(
  UPDATE residencies SET moved_out_at = now(), directory_listed = false
  WHERE id = $1 AND moved_out_at IS NULL RETURNING user_id AS value)sql",
                                 1};
// A push token belongs to one phone: registering it again moves it to the caller.
constexpr db::Statement kRegisterDevice{"people_register_device", R"sql(
  INSERT INTO devices (user_id, platform, push_token, voip_token, bmx_app_installed)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (push_token) DO UPDATE SET user_id = EXCLUDED.user_id,
    platform = EXCLUDED.platform, voip_token = EXCLUDED.voip_token,
    bmx_app_installed = EXCLUDED.bmx_app_installed, updated_at = now()
  RETURNING id AS value)sql",
                                        5};
// Push tokens are secrets: support sees that a device exists, not its tokens.
constexpr db::Statement kDevicesOf{"people_devices_of", R"sql(
  SELECT id, platform, voip_token IS NOT NULL AS voip_token_registered, bmx_app_installed,
         created_at AS registered_at, last_push_at, last_push_outcome
  FROM devices WHERE user_id = $1 ORDER BY created_at)sql",
                                   1};
constexpr db::Statement kDirectoryUpdate{"people_directory_update", R"sql(
  UPDATE residencies SET directory_listed = coalesce($2, directory_listed),
    directory_display_name = CASE WHEN $3 THEN $4 ELSE directory_display_name END
  WHERE user_id = $1 AND property_id = $5 AND moved_out_at IS NULL
  RETURNING id AS residency_id, directory_listed AS listed,
    coalesce(directory_display_name, first_name || ' ' || last_name) AS display_name,
    directory_display_name IS NOT NULL AS custom_display_name)sql",
                                         5};
constexpr db::Statement kRemoveDevice{"people_remove_device",
                                      "DELETE FROM devices WHERE id = $1 AND user_id = $2", 2};

// One text answer (an id, a name).
struct TextRow {
  std::string value;
};

struct ChangedRow {
  std::string residency_id;
  bool listed = false;
  std::string display_name;
  bool custom_display_name = false;
};

std::optional<std::string> first_text(const pqxx::result& result) {
  auto row = db::read_first<TextRow>(result);
  if (!row) return std::nullopt;
  return std::move(row->value);
}

}  // namespace
}  // namespace frontdoor::people::store

namespace frontdoor::db {

using people::DeviceReport;
using people::Resident;
using people::store::ChangedRow;
using people::store::TextRow;

template <>
struct Shape<TextRow> {
  static constexpr auto columns = std::make_tuple(column("value", &TextRow::value));
};
template <>
struct Shape<Resident> {
  static constexpr auto columns = std::make_tuple(
      column("id", &Resident::id), column("user_id", &Resident::user_id),
      column("unit_id", &Resident::unit_id), column("unit_label", &Resident::unit_label),
      column("first_name", &Resident::first_name), column("last_name", &Resident::last_name),
      column("email", &Resident::email), column("phone", &Resident::phone),
      column("directory_listed", &Resident::directory_listed),
      column("moved_in_at", &Resident::moved_in_at));
};
template <>
struct Shape<ChangedRow> {
  static constexpr auto columns = std::make_tuple(
      column("residency_id", &ChangedRow::residency_id), column("listed", &ChangedRow::listed),
      column("display_name", &ChangedRow::display_name),
      column("custom_display_name", &ChangedRow::custom_display_name));
};
template <>
struct Shape<DeviceReport> {
  static constexpr auto columns =
      std::make_tuple(column("id", &DeviceReport::id), column("platform", &DeviceReport::platform),
                      column("voip_token_registered", &DeviceReport::voip_token_registered),
                      column("bmx_app_installed", &DeviceReport::bmx_app_installed),
                      column("registered_at", &DeviceReport::registered_at),
                      column("last_push_at", &DeviceReport::last_push_at),
                      column("last_push_outcome", &DeviceReport::last_push_outcome));
};

}  // namespace frontdoor::db

namespace frontdoor::people::store {
namespace {

// The sort keys of a page's rows, read beside the residents themselves.
struct SortKeys {
  std::string last_key;
  std::string first_key;
};

}  // namespace
}  // namespace frontdoor::people::store

template <>
struct frontdoor::db::Shape<frontdoor::people::store::SortKeys> {
  using Row = people::store::SortKeys;
  static constexpr auto columns =
      std::make_tuple(column("last_key", &Row::last_key), column("first_key", &Row::first_key));
};

namespace frontdoor::people::store {

void prepare(db::Pool& pool) {
  for (const auto* statement :
       {&kPropertyName, &kMoveIn, &kResident, &kListResidents, &kPropertyOfResidency, &kMoveOut,
        &kRegisterDevice, &kDevicesOf, &kDirectoryUpdate, &kRemoveDevice}) {
    pool.prepare(*statement);
  }
}

std::optional<std::string> property_name(pqxx::transaction_base& tx,
                                         const std::string& property_id) {
  return first_text(db::exec(tx, kPropertyName, property_id));
}

std::optional<std::string> property_of_residency(pqxx::transaction_base& tx,
                                                 const std::string& residency_id) {
  return first_text(db::exec(tx, kPropertyOfResidency, residency_id));
}

std::string insert_residency(pqxx::transaction_base& tx, const std::string& property_id,
                             const std::string& user_id, const MoveIn& resident) {
  return db::read_one<TextRow>(db::exec(tx, kMoveIn, property_id, resident.unit_id, user_id,
                                        resident.first_name, resident.last_name,
                                        resident.directory_listed, resident.email, resident.phone))
      .value;
}

std::optional<Resident> resident(pqxx::transaction_base& tx, const std::string& residency_id) {
  return db::read_first<Resident>(db::exec(tx, kResident, residency_id));
}

std::vector<Listed> list_residents(pqxx::transaction_base& tx, const std::string& property_id,
                                   const ResidentQuery& query) {
  std::optional<std::string> last, first, id;
  if (const auto& after = query.page.after) {
    last = after->last_name;
    first = after->first_name;
    id = after->id;
  }
  const auto result = db::exec(tx, kListResidents, property_id, query.name_prefix, last, first, id,
                               query.page.limit + 1);
  auto residents = db::read_all<Resident>(result);
  const auto keys = db::read_all<SortKeys>(result);
  std::vector<Listed> listed;
  for (std::size_t i = 0; i < residents.size(); ++i) {
    NameAndId position{keys[i].last_key, keys[i].first_key, residents[i].id};
    listed.push_back({std::move(residents[i]), std::move(position)});
  }
  return listed;
}

std::optional<std::string> end_residency(pqxx::transaction_base& tx,
                                         const std::string& residency_id) {
  return first_text(db::exec(tx, kMoveOut, residency_id));
}

std::optional<DirectoryChanged> change_directory_entry(pqxx::transaction_base& tx,
                                                       const std::string& user_id,
                                                       const std::string& property_id,
                                                       const DirectoryChange& change) {
  auto row =
      db::read_first<ChangedRow>(db::exec(tx, kDirectoryUpdate, user_id, change.listed,
                                          change.change_name, change.display_name, property_id));
  if (!row) return std::nullopt;
  return DirectoryChanged{std::move(row->residency_id),
                          {row->listed, std::move(row->display_name), row->custom_display_name}};
}

std::string upsert_device(pqxx::transaction_base& tx, const std::string& user_id,
                          const Device& device) {
  return db::read_one<TextRow>(db::exec(tx, kRegisterDevice, user_id, device.platform,
                                        device.push_token, device.voip_token,
                                        device.bmx_app_installed))
      .value;
}

bool remove_device(pqxx::transaction_base& tx, const std::string& user_id,
                   const std::string& device_id) {
  return db::exec(tx, kRemoveDevice, device_id, user_id).affected_rows() > 0;
}

std::vector<DeviceReport> devices_of(pqxx::transaction_base& tx, const std::string& user_id) {
  return db::read_all<DeviceReport>(db::exec(tx, kDevicesOf, user_id));
}

}  // namespace frontdoor::people::store
