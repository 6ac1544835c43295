#include "store.hpp"

#include <nlohmann/json.hpp>

#include "frontdoor/db/async.hpp"
#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::auth::store {

void prepare_authentication(db::Pool& pool) {
  pool.prepare("auth_panel_by_key", "SELECT id, property_id FROM panel_keys WHERE key_hash = $1");
  // Read on every request of a person: roles change (a move-out) while tokens live.
  pool.prepare("auth_roles",
               "SELECT role, coalesce(property_id::text, '') FROM role_assignments "
               "WHERE user_id = $1 ORDER BY role, property_id");
}

void use_on_the_io_threads(db::AsyncDatabase& database) { database.use("auth_panel_by_key"); }

std::optional<PanelIdentity> panel_by_key(pqxx::transaction_base& tx, const std::string& key_hash) {
  const auto rows = tx.exec_prepared("auth_panel_by_key", key_hash);
  if (rows.empty()) return std::nullopt;
  return PanelIdentity{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

boost::asio::awaitable<std::optional<PanelIdentity>> panel_by_key(db::AsyncDatabase& database,
                                                                  const std::string& key_hash) {
  const auto rows = co_await database.run("auth_panel_by_key", key_hash);
  if (rows.empty()) co_return std::nullopt;
  co_return PanelIdentity{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

void prepare(db::Pool& pool) {
  pool.prepare("auth_credentials", "SELECT id, password_hash FROM users WHERE email = $1");
  // Checks and counts an attempt in one step (migration 0018): $1 account key,
  // $2 its limit, $3 address key, $4 its limit, $5 now, $6 window s, $7 spacing s.
  pool.prepare("auth_login_attempt",
               "SELECT wait, previous FROM login_attempt($1, $2, $3, $4, $5::timestamptz, $6, $7)");
  pool.prepare("auth_login_succeeded",
               "SELECT login_succeeded($1, $2, $3::timestamptz, $4::timestamptz)");
  // The retention sweep: $1 seconds, $2 the batch.
  pool.prepare("auth_sweep_login_failures",
               "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures "
               "WHERE window_start < now() - $1 * interval '1 second' LIMIT $2 "
               "FOR UPDATE SKIP LOCKED)");
  pool.prepare("auth_sweep_refresh_tokens",
               "DELETE FROM refresh_tokens WHERE token_hash IN (SELECT token_hash FROM "
               "refresh_tokens WHERE expires_at < now() - $1 * interval '1 second' LIMIT $2 "
               "FOR UPDATE SKIP LOCKED)");
  pool.prepare("auth_sweep_invitations",
               "DELETE FROM invite_tokens WHERE token_hash IN (SELECT token_hash FROM "
               "invite_tokens WHERE least(expires_at, coalesce(used_at, expires_at)) < "
               "now() - $1 * interval '1 second' LIMIT $2 FOR UPDATE SKIP LOCKED)");
  pool.prepare("auth_insert_refresh",
               "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at) "
               "VALUES ($1, $2, coalesce(NULLIF($3, '')::uuid, gen_random_uuid()), $4)");
  pool.prepare("auth_use_refresh",
               "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL "
               "AND revoked_at IS NULL AND expires_at > $2 RETURNING user_id, family_id");
  pool.prepare(
      "auth_revoke_family",
      "UPDATE refresh_tokens SET revoked_at = $2 WHERE revoked_at IS NULL AND family_id = "
      "(SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL)");
  pool.prepare("auth_insert_invite",
               "INSERT INTO invite_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)");
  pool.prepare("auth_open_invite",
               "SELECT u.id, u.email FROM invite_tokens i JOIN users u ON u.id = i.user_id "
               "WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2");
  pool.prepare("auth_use_invite",
               "UPDATE invite_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL "
               "AND expires_at > $2");
  pool.prepare("auth_set_password", "UPDATE users SET password_hash = $2 WHERE id = $1");
  pool.prepare(
      "auth_profile",
      "SELECT u.id, u.email, u.phone, u.display_name, coalesce((SELECT json_agg(json_build_object("
      "'role', r.role, 'property_id', r.property_id) ORDER BY r.role, r.property_id) "
      "FROM role_assignments r WHERE r.user_id = u.id), '[]')::text "
      "FROM users u WHERE u.id = $1");
  pool.prepare("auth_upsert_user",
               "INSERT INTO users (email, display_name, phone) VALUES ($1, $2, $3) "
               "ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email "
               "RETURNING id, password_hash IS NOT NULL");
  pool.prepare("auth_revoke_role",
               "DELETE FROM role_assignments WHERE user_id = $1 AND role = $2 "
               "AND property_id IS NOT DISTINCT FROM NULLIF($3, '')::uuid");
  pool.prepare("auth_emails_with_role",
               "SELECT u.email FROM role_assignments r JOIN users u ON u.id = r.user_id "
               "WHERE r.role = $1 AND r.property_id = $2::uuid ORDER BY u.email");
  pool.prepare("auth_grant_role",
               "INSERT INTO role_assignments (user_id, role, property_id) "
               "VALUES ($1, $2, NULLIF($3, '')::uuid) ON CONFLICT DO NOTHING");
}

std::optional<Credentials> credentials_by_email(pqxx::transaction_base& tx,
                                                const std::string& email) {
  auto rows = tx.exec_prepared("auth_credentials", email);
  if (rows.empty()) return std::nullopt;
  Credentials credentials{rows[0][0].as<std::string>(), std::nullopt};
  if (!rows[0][1].is_null()) credentials.password_hash = rows[0][1].as<std::string>();
  return credentials;
}

std::vector<RoleAssignment> roles_of(pqxx::transaction_base& tx, const std::string& user_id) {
  std::vector<RoleAssignment> roles;
  for (const auto& row : tx.exec_prepared("auth_roles", user_id)) {
    if (auto role = role_from_string(row[0].as<std::string>())) {
      roles.push_back({*role, row[1].as<std::string>()});
    }
  }
  return roles;
}

Attempt reserve_login_attempt(pqxx::transaction_base& tx, const std::string& account_key,
                              const std::string& address_key, const std::string& now,
                              const AttemptLimits& limits) {
  const auto row =
      tx.exec_prepared1("auth_login_attempt", account_key, limits.per_account, address_key,
                        limits.per_address, now, limits.window_seconds, limits.spacing_seconds);
  return {row["wait"].as<long long>(), now, db::optional_of<std::string>(row["previous"])};
}

void login_succeeded(pqxx::transaction_base& tx, const std::string& account_key,
                     const std::string& address_key, const Attempt& attempt) {
  tx.exec_prepared("auth_login_succeeded", account_key, address_key, attempt.at,
                   attempt.previous_failure);
}

void insert_refresh_token(pqxx::transaction_base& tx, const std::string& hash,
                          const std::string& user_id, const std::string& family_id,
                          const std::string& expires_at) {
  tx.exec_prepared("auth_insert_refresh", hash, user_id, family_id, expires_at);
}

std::optional<UsedRefresh> use_refresh_token(pqxx::transaction_base& tx, const std::string& hash,
                                             const std::string& now) {
  auto rows = tx.exec_prepared("auth_use_refresh", hash, now);
  if (rows.empty()) return std::nullopt;
  return UsedRefresh{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

bool revoke_family_of_used_token(pqxx::transaction_base& tx, const std::string& hash,
                                 const std::string& now) {
  return tx.exec_prepared("auth_revoke_family", hash, now).affected_rows() > 0;
}

void insert_invite(pqxx::transaction_base& tx, const std::string& hash, const std::string& user_id,
                   const std::string& expires_at) {
  tx.exec_prepared("auth_insert_invite", hash, user_id, expires_at);
}

std::optional<Invitee> open_invite(pqxx::transaction_base& tx, const std::string& hash,
                                   const std::string& now) {
  auto rows = tx.exec_prepared("auth_open_invite", hash, now);
  if (rows.empty()) return std::nullopt;
  return Invitee{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

bool use_invite(pqxx::transaction_base& tx, const std::string& hash, const std::string& now) {
  return tx.exec_prepared("auth_use_invite", hash, now).affected_rows() == 1;
}

void set_password(pqxx::transaction_base& tx, const std::string& user_id,
                  const std::string& password_hash) {
  tx.exec_prepared("auth_set_password", user_id, password_hash);
}

std::optional<Profile> profile(pqxx::transaction_base& tx, const std::string& user_id) {
  auto rows = tx.exec_prepared("auth_profile", user_id);
  if (rows.empty()) return std::nullopt;
  Profile result{rows[0][0].as<std::string>(),
                 rows[0][1].as<std::string>(),
                 std::nullopt,
                 rows[0][3].as<std::string>(),
                 {}};
  if (!rows[0][2].is_null()) result.phone = rows[0][2].as<std::string>();
  for (const auto& held : nlohmann::json::parse(rows[0][4].as<std::string>())) {
    // Only roles this build knows are stored (the column's check constraint).
    const auto role = role_from_string(held.at("role").get<std::string>());
    if (!role) continue;
    const auto& property = held.at("property_id");
    result.roles.push_back({*role, property.is_null() ? "" : property.get<std::string>()});
  }
  return result;
}

UpsertedUser upsert_user(pqxx::transaction_base& tx, const std::string& email,
                         const std::string& display_name, const std::optional<std::string>& phone) {
  const auto row = tx.exec_prepared1("auth_upsert_user", email, display_name, phone);
  return {row[0].as<std::string>(), row[1].as<bool>()};
}

void grant_role(pqxx::transaction_base& tx, const std::string& user_id, Role role,
                const std::string& property_id) {
  tx.exec_prepared("auth_grant_role", user_id, to_string(role), property_id);
}

void revoke_role(pqxx::transaction_base& tx, const std::string& user_id, Role role,
                 const std::string& property_id) {
  tx.exec_prepared("auth_revoke_role", user_id, to_string(role), property_id);
}

std::vector<std::string> emails_with_role(pqxx::transaction_base& tx, Role role,
                                          const std::string& property_id) {
  std::vector<std::string> emails;
  for (const auto& row : tx.exec_prepared("auth_emails_with_role", to_string(role), property_id)) {
    emails.push_back(row[0].as<std::string>());
  }
  return emails;
}

}  // namespace frontdoor::auth::store
