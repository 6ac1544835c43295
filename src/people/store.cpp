// SQL of the people module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::people::store {

namespace {
constexpr const char* kResidentColumns =
    "r.id, r.user_id, r.unit_id, un.label, r.first_name, r.last_name, r.email, r.phone, "
    "r.directory_listed, to_char(r.moved_in_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), lower(r.last_name), lower(r.first_name)";

// A row of kResidentColumns.
Resident resident_from(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<std::string>(),
          row[2].as<std::string>(), row[3].as<std::string>(),
          row[4].as<std::string>(), row[5].as<std::string>(),
          row[6].as<std::string>(), db::optional_of<std::string>(row[7]),
          row[8].as<bool>(),        row[9].as<std::string>()};
}

std::optional<std::string> first_text(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}
}  // namespace

void prepare(db::Pool& pool) {
  pool.prepare("people_property_name", "SELECT name FROM property_rules WHERE id = $1");
  // The manager's e-mail and phone are kept on the residency: an existing
  // account's own details are neither changed nor shown to this property.
  pool.prepare("people_move_in",
               "INSERT INTO residencies (property_id, unit_id, user_id, first_name, last_name, "
               "directory_listed, email, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
               "RETURNING id");
  pool.prepare("people_resident", std::string("SELECT ") + kResidentColumns +
                                      " FROM residencies r "
                                      "JOIN unit_labels un ON un.id = r.unit_id WHERE r.id = $1");
  // Keyset pagination on (last name, first name, id); the prefix matches either name.
  pool.prepare("people_list_residents",
               std::string("SELECT ") + kResidentColumns +
                   " FROM residencies r JOIN unit_labels un ON un.id = r.unit_id "
                   "WHERE r.property_id = $1 AND r.moved_out_at IS NULL "
                   "AND ($2::text IS NULL OR starts_with(lower(r.first_name), lower($2)) "
                   "     OR starts_with(lower(r.last_name), lower($2))) "
                   "AND ($3::text IS NULL OR (lower(r.last_name), lower(r.first_name), r.id) > "
                   "     ($3, $4, $5::uuid)) "
                   "ORDER BY lower(r.last_name), lower(r.first_name), r.id LIMIT $6");
  pool.prepare("people_property_of_residency", "SELECT property_id FROM residencies WHERE id = $1");
  pool.prepare("people_move_out",
               "UPDATE residencies SET moved_out_at = now(), directory_listed = false "
               "WHERE id = $1 AND moved_out_at IS NULL RETURNING user_id, property_id");
  // A push token belongs to one phone: registering it again moves it to the caller.
  pool.prepare("people_register_device",
               "INSERT INTO devices (user_id, platform, push_token, voip_token, bmx_app_installed) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (push_token) DO UPDATE SET "
               "user_id = EXCLUDED.user_id, platform = EXCLUDED.platform, "
               "voip_token = EXCLUDED.voip_token, bmx_app_installed = EXCLUDED.bmx_app_installed, "
               "updated_at = now() RETURNING id");
  // Push tokens are secrets: support sees that a device exists, not its tokens.
  pool.prepare("people_devices_of",
               "SELECT id, platform, voip_token IS NOT NULL, bmx_app_installed, "
               "rfc3339(created_at), rfc3339(last_push_at), last_push_outcome FROM devices "
               "WHERE user_id = $1 ORDER BY created_at");
  pool.prepare(
      "people_directory_update",
      "UPDATE residencies SET directory_listed = coalesce($2, directory_listed), "
      "directory_display_name = CASE WHEN $3 THEN $4 ELSE directory_display_name END "
      "WHERE user_id = $1 AND property_id = $5 AND moved_out_at IS NULL RETURNING id, property_id, "
      "directory_listed, coalesce(directory_display_name, first_name || ' ' || last_name), "
      "directory_display_name IS NOT NULL");
  pool.prepare("people_remove_device", "DELETE FROM devices WHERE id = $1 AND user_id = $2");
}

std::optional<std::string> property_name(pqxx::transaction_base& tx,
                                         const std::string& property_id) {
  return first_text(tx.exec_prepared("people_property_name", property_id));
}

std::optional<std::string> property_of_residency(pqxx::transaction_base& tx,
                                                 const std::string& residency_id) {
  return first_text(tx.exec_prepared("people_property_of_residency", residency_id));
}

std::string insert_residency(pqxx::transaction_base& tx, const std::string& property_id,
                             const std::string& user_id, const MoveIn& resident) {
  return tx
      .exec_prepared1("people_move_in", property_id, resident.unit_id, user_id, resident.first_name,
                      resident.last_name, resident.directory_listed, resident.email,
                      resident.phone)[0]
      .as<std::string>();
}

std::optional<Resident> resident(pqxx::transaction_base& tx, const std::string& residency_id) {
  const auto rows = tx.exec_prepared("people_resident", residency_id);
  if (rows.empty()) return std::nullopt;
  return resident_from(rows[0]);
}

std::vector<Listed> list_residents(pqxx::transaction_base& tx, const std::string& property_id,
                                   const ResidentQuery& query) {
  std::optional<std::string> last, first, id;
  if (const auto& after = query.page.after) {
    last = after->last_name;
    first = after->first_name;
    id = after->id;
  }
  std::vector<Listed> residents;
  for (const auto& row : tx.exec_prepared("people_list_residents", property_id, query.name_prefix,
                                          last, first, id, query.page.limit + 1)) {
    residents.push_back(
        {resident_from(row),
         {row[10].as<std::string>(), row[11].as<std::string>(), row[0].as<std::string>()}});
  }
  return residents;
}

std::optional<std::string> end_residency(pqxx::transaction_base& tx,
                                         const std::string& residency_id) {
  return first_text(tx.exec_prepared("people_move_out", residency_id));
}

std::optional<DirectoryChanged> change_directory_entry(pqxx::transaction_base& tx,
                                                       const std::string& user_id,
                                                       const std::string& property_id,
                                                       const DirectoryChange& change) {
  const auto rows = tx.exec_prepared("people_directory_update", user_id, change.listed,
                                     change.change_name, change.display_name, property_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return DirectoryChanged{row[0].as<std::string>(),
                          {row[2].as<bool>(), row[3].as<std::string>(), row[4].as<bool>()}};
}

std::string upsert_device(pqxx::transaction_base& tx, const std::string& user_id,
                          const Device& device) {
  return tx
      .exec_prepared1("people_register_device", user_id, device.platform, device.push_token,
                      device.voip_token, device.bmx_app_installed)[0]
      .as<std::string>();
}

bool remove_device(pqxx::transaction_base& tx, const std::string& user_id,
                   const std::string& device_id) {
  return tx.exec_prepared("people_remove_device", device_id, user_id).affected_rows() > 0;
}

std::vector<DeviceReport> devices_of(pqxx::transaction_base& tx, const std::string& user_id) {
  std::vector<DeviceReport> devices;
  for (const auto& row : tx.exec_prepared("people_devices_of", user_id)) {
    devices.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(),
                       row[3].as<bool>(), row[4].as<std::string>(),
                       db::optional_of<std::string>(row[5]), db::optional_of<std::string>(row[6])});
  }
  return devices;
}

}  // namespace frontdoor::people::store
