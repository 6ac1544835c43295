// SQL of the people module; the service runs these by name.
#include "store.hpp"

#include "frontdoor/db/pool.hpp"

namespace frontdoor::people::store {

namespace {
constexpr const char* kResidentColumns =
    "r.id, r.user_id, r.unit_id, un.label, r.first_name, r.last_name, r.email, r.phone, "
    "r.directory_listed, to_char(r.moved_in_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), lower(r.last_name), lower(r.first_name)";
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

}  // namespace frontdoor::people::store
