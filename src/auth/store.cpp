// SQL of the auth module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <nlohmann/json.hpp>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::auth::store {
namespace {

constexpr db::Statement kPanelByKey{"auth_panel_by_key", R"sql(
  SELECT id AS panel_id, property_id FROM panel_keys WHERE key_hash = $1)sql",
                                    1};
// Read on every request of a person: roles change (a move-out) while tokens live.
constexpr db::Statement kRoles{"auth_roles", R"sql(
  SELECT role, coalesce(property_id::text, '') AS property_id FROM role_assignments
  WHERE user_id = $1 ORDER BY role, property_id)sql",
                               1};
constexpr db::Statement kCredentials{
    "auth_credentials", "SELECT id AS user_id, password_hash FROM users WHERE email = $1", 1};
// Checks and counts an attempt in one step (migration 0018): $1 account key,
// $2 its limit, $3 address key, $4 its limit, $5 now, $6 window s, $7 spacing s.
constexpr db::Statement kLoginAttempt{"auth_login_attempt", R"sql(
  SELECT wait, previous FROM login_attempt($1, $2, $3, $4, $5::timestamptz, $6, $7))sql",
                                      7};
constexpr db::Statement kLoginSucceeded{
    "auth_login_succeeded", "SELECT login_succeeded($1, $2, $3::timestamptz, $4::timestamptz)", 4};
// The retention sweeps: $1 seconds, $2 the batch.
constexpr db::Statement kSweepLoginFailures{"auth_sweep_login_failures", R"sql(
  DELETE FROM login_failures WHERE key IN (
    SELECT key FROM login_failures WHERE window_start < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                            2};
constexpr db::Statement kSweepRefreshTokens{"auth_sweep_refresh_tokens", R"sql(
  DELETE FROM refresh_tokens WHERE token_hash IN (
    SELECT token_hash FROM refresh_tokens WHERE expires_at < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                            2};
constexpr db::Statement kSweepInvitations{"auth_sweep_invitations", R"sql(
  DELETE FROM invite_tokens WHERE token_hash IN (
    SELECT token_hash FROM invite_tokens
    WHERE least(expires_at, coalesce(used_at, expires_at)) < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                          2};
constexpr db::Statement kInsertRefresh{"auth_insert_refresh", R"sql(
  INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at)
  VALUES ($1, $2, coalesce(NULLIF($3, '')::uuid, gen_random_uuid()), $4))sql",
                                       4};
constexpr db::Statement kUseRefresh{"auth_use_refresh", R"sql(
  UPDATE refresh_tokens SET used_at = $2
  WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
  RETURNING user_id, family_id)sql",
                                    2};
constexpr db::Statement kRevokeFamily{"auth_revoke_family", R"sql(
  UPDATE refresh_tokens SET revoked_at = $2
  WHERE revoked_at IS NULL
    AND family_id = (SELECT family_id FROM refresh_tokens
                     WHERE token_hash = $1 AND used_at IS NOT NULL))sql",
                                      2};
constexpr db::Statement kInsertInvite{
    "auth_insert_invite",
    "INSERT INTO invite_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)", 3};
constexpr db::Statement kOpenInvite{"auth_open_invite", R"sql(
  SELECT u.id AS user_id, u.email FROM invite_tokens i JOIN users u ON u.id = i.user_id
  WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2)sql",
                                    2};
constexpr db::Statement kUseInvite{"auth_use_invite", R"sql(
  UPDATE invite_tokens SET used_at = $2
  WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)sql",
                                   2};
constexpr db::Statement kSetPassword{"auth_set_password",
                                     "UPDATE users SET password_hash = $2 WHERE id = $1", 2};
// One round trip: the account and its roles, as JSON beside it.
constexpr db::Statement kProfile{"auth_profile", R"sql(
  SELECT u.id, u.email, u.phone, u.display_name,
         coalesce((SELECT json_agg(json_build_object('role', r.role, 'property_id', r.property_id)
                                   ORDER BY r.role, r.property_id)
                   FROM role_assignments r WHERE r.user_id = u.id), '[]')::text AS roles
  FROM users u WHERE u.id = $1)sql",
                                 1};
constexpr db::Statement kUpsertUser{"auth_upsert_user", R"sql(
  INSERT INTO users (email, display_name, phone) VALUES ($1, $2, $3)
  ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
  RETURNING id, password_hash IS NOT NULL AS has_password)sql",
                                    3};
constexpr db::Statement kRevokeRole{"auth_revoke_role", R"sql(
  DELETE FROM role_assignments
  WHERE user_id = $1 AND role = $2 AND property_id IS NOT DISTINCT FROM NULLIF($3, '')::uuid)sql",
                                    3};
constexpr db::Statement kEmailsWithRole{"auth_emails_with_role", R"sql(
  SELECT u.email FROM role_assignments r JOIN users u ON u.id = r.user_id
  WHERE r.role = $1 AND r.property_id = $2::uuid ORDER BY u.email)sql",
                                        2};
constexpr db::Statement kGrantRole{"auth_grant_role", R"sql(
  INSERT INTO role_assignments (user_id, role, property_id)
  VALUES ($1, $2, NULLIF($3, '')::uuid) ON CONFLICT DO NOTHING)sql",
                                   3};

struct AttemptRow {
  long long wait = 0;
  std::optional<common::TimePoint> previous;
};
struct ProfileRow : Profile {
  std::string roles_json;
};
struct EmailRow {
  std::string email;
};

}  // namespace
}  // namespace frontdoor::auth::store

namespace frontdoor::db {

using namespace auth;
using namespace auth::store;

template <>
struct Shape<PanelIdentity> {
  static constexpr auto columns =
      std::make_tuple(column("panel_id", &PanelIdentity::panel_id),
                      column("property_id", &PanelIdentity::property_id));
};
template <>
struct Shape<RoleAssignment> {
  static constexpr auto columns = std::make_tuple(
      column("role", &RoleAssignment::role), column("property_id", &RoleAssignment::property_id));
};
template <>
struct Shape<Credentials> {
  static constexpr auto columns =
      std::make_tuple(column("user_id", &Credentials::user_id),
                      column("password_hash", &Credentials::password_hash));
};
template <>
struct Shape<AttemptRow> {
  static constexpr auto columns =
      std::make_tuple(column("wait", &AttemptRow::wait), column("previous", &AttemptRow::previous));
};
template <>
struct Shape<UsedRefresh> {
  static constexpr auto columns = std::make_tuple(column("user_id", &UsedRefresh::user_id),
                                                  column("family_id", &UsedRefresh::family_id));
};
template <>
struct Shape<Invitee> {
  static constexpr auto columns =
      std::make_tuple(column("user_id", &Invitee::user_id), column("email", &Invitee::email));
};
template <>
struct Shape<ProfileRow> {
  using R = ProfileRow;
  static constexpr auto columns = std::make_tuple(
      column_of<R>("id", &Profile::id), column_of<R>("email", &Profile::email),
      column_of<R>("phone", &Profile::phone), column_of<R>("display_name", &Profile::display_name),
      column("roles", &R::roles_json));
};
template <>
struct Shape<UpsertedUser> {
  static constexpr auto columns = std::make_tuple(
      column("id", &UpsertedUser::id), column("has_password", &UpsertedUser::has_password));
};
template <>
struct Shape<EmailRow> {
  static constexpr auto columns = std::make_tuple(column("email", &EmailRow::email));
};

}  // namespace frontdoor::db

namespace frontdoor::auth::store {

void prepare_authentication(db::Pool& pool) {
  pool.prepare(kPanelByKey);
  pool.prepare(kRoles);
}

void use_on_the_io_threads(db::AsyncDatabase& database) { database.use(kPanelByKey); }

std::optional<PanelIdentity> panel_by_key(pqxx::transaction_base& tx, const std::string& key_hash) {
  return db::read_first<PanelIdentity>(db::exec(tx, kPanelByKey, key_hash));
}

boost::asio::awaitable<std::optional<PanelIdentity>> panel_by_key(db::AsyncDatabase& database,
                                                                  const std::string& key_hash) {
  co_return db::read_first<PanelIdentity>(co_await database.run(kPanelByKey, key_hash));
}

void prepare(db::Pool& pool) {
  for (const auto* statement :
       {&kCredentials, &kLoginAttempt, &kLoginSucceeded, &kSweepLoginFailures, &kSweepRefreshTokens,
        &kSweepInvitations, &kInsertRefresh, &kUseRefresh, &kRevokeFamily, &kInsertInvite,
        &kOpenInvite, &kUseInvite, &kSetPassword, &kProfile, &kUpsertUser, &kRevokeRole,
        &kEmailsWithRole, &kGrantRole}) {
    pool.prepare(*statement);
  }
}

std::optional<Credentials> credentials_by_email(pqxx::transaction_base& tx,
                                                const std::string& email) {
  return db::read_first<Credentials>(db::exec(tx, kCredentials, email));
}

std::vector<RoleAssignment> roles_of(pqxx::transaction_base& tx, const std::string& user_id) {
  return db::read_all<RoleAssignment>(db::exec(tx, kRoles, user_id));
}

Attempt reserve_login_attempt(pqxx::transaction_base& tx, const std::string& account_key,
                              const std::string& address_key, common::TimePoint now,
                              const AttemptLimits& limits) {
  const auto row = db::read_one<AttemptRow>(
      db::exec(tx, kLoginAttempt, account_key, limits.per_account, address_key, limits.per_address,
               common::to_sql_timestamp(now), limits.window_seconds, limits.spacing_seconds));
  return {row.wait, now, row.previous};
}

void login_succeeded(pqxx::transaction_base& tx, const std::string& account_key,
                     const std::string& address_key, const Attempt& attempt) {
  std::optional<std::string> previous;
  if (attempt.previous_failure) previous = common::to_sql_timestamp(*attempt.previous_failure);
  db::exec(tx, kLoginSucceeded, account_key, address_key, common::to_sql_timestamp(attempt.at),
           previous);
}

long long sweep(db::Pool& pool, const Retention& retention) {
  return db::sweep(pool, kSweepLoginFailures, retention.login_failures.count()) +
         db::sweep(pool, kSweepRefreshTokens, retention.refresh_tokens.count()) +
         db::sweep(pool, kSweepInvitations, retention.invitations.count());
}

void insert_refresh_token(pqxx::transaction_base& tx, const std::string& hash,
                          const std::string& user_id, const std::string& family_id,
                          common::TimePoint expires_at) {
  db::exec(tx, kInsertRefresh, hash, user_id, family_id, common::to_sql_timestamp(expires_at));
}

std::optional<UsedRefresh> use_refresh_token(pqxx::transaction_base& tx, const std::string& hash,
                                             common::TimePoint now) {
  return db::read_first<UsedRefresh>(
      db::exec(tx, kUseRefresh, hash, common::to_sql_timestamp(now)));
}

bool revoke_family_of_used_token(pqxx::transaction_base& tx, const std::string& hash,
                                 common::TimePoint now) {
  return db::exec(tx, kRevokeFamily, hash, common::to_sql_timestamp(now)).affected_rows() > 0;
}

void insert_invite(pqxx::transaction_base& tx, const std::string& hash, const std::string& user_id,
                   common::TimePoint expires_at) {
  db::exec(tx, kInsertInvite, hash, user_id, common::to_sql_timestamp(expires_at));
}

std::optional<Invitee> open_invite(pqxx::transaction_base& tx, const std::string& hash,
                                   common::TimePoint now) {
  return db::read_first<Invitee>(db::exec(tx, kOpenInvite, hash, common::to_sql_timestamp(now)));
}

bool use_invite(pqxx::transaction_base& tx, const std::string& hash, common::TimePoint now) {
  return db::exec(tx, kUseInvite, hash, common::to_sql_timestamp(now)).affected_rows() == 1;
}

void set_password(pqxx::transaction_base& tx, const std::string& user_id,
                  const std::string& password_hash) {
  db::exec(tx, kSetPassword, user_id, password_hash);
}

std::optional<Profile> profile(pqxx::transaction_base& tx, const std::string& user_id) {
  auto row = db::read_first<ProfileRow>(db::exec(tx, kProfile, user_id));
  if (!row) return std::nullopt;
  for (const auto& held : nlohmann::json::parse(row->roles_json)) {
    // Only roles this build knows are stored (the column's check constraint).
    const auto role = role_from_string(held.at("role").get<std::string>());
    if (!role) continue;
    const auto& property = held.at("property_id");
    row->roles.push_back({*role, property.is_null() ? "" : property.get<std::string>()});
  }
  return Profile(std::move(*row));
}

UpsertedUser upsert_user(pqxx::transaction_base& tx, const std::string& email,
                         const std::string& display_name, const std::optional<std::string>& phone) {
  return db::read_one<UpsertedUser>(db::exec(tx, kUpsertUser, email, display_name, phone));
}

void grant_role(pqxx::transaction_base& tx, const std::string& user_id, Role role,
                const std::string& property_id) {
  db::exec(tx, kGrantRole, user_id, to_string(role), property_id);
}

void revoke_role(pqxx::transaction_base& tx, const std::string& user_id, Role role,
                 const std::string& property_id) {
  db::exec(tx, kRevokeRole, user_id, to_string(role), property_id);
}

std::vector<std::string> emails_with_role(pqxx::transaction_base& tx, Role role,
                                          const std::string& property_id) {
  std::vector<std::string> emails;
  for (auto& row :
       db::read_all<EmailRow>(db::exec(tx, kEmailsWithRole, to_string(role), property_id))) {
    emails.push_back(std::move(row.email));
  }
  return emails;
}

}  // namespace frontdoor::auth::store
