// SQL of the bmx module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::bmx::store {

void prepare(db::Pool& pool) {
  pool.prepare("bmx_property_site", "SELECT site_name FROM property_rules WHERE id = $1");
  pool.prepare(
      "bmx_integration_get",
      "SELECT building_id, building_name, placeholder_unit_id, placeholder_tenant_id, "
      "credential_id, bmx_integration_id, rfc3339(configured_at), rfc3339(last_webhook_at) "
      "FROM bmx_integrations WHERE property_id = $1");
  // The previous credential (on a second set-up) is revoked in the same statement.
  pool.prepare("bmx_integration_upsert",
               "WITH old AS (SELECT credential_id FROM bmx_integrations WHERE property_id = $1), "
               "revoked AS (UPDATE bmx_credentials SET revoked_at = now() "
               "WHERE id IN (SELECT credential_id FROM old) AND id <> $4) "
               "INSERT INTO bmx_integrations (property_id, building_id, building_name, "
               "credential_id, placeholder_unit_id, placeholder_tenant_id, webhook_secret_hash, "
               "bmx_integration_id, configured_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
               "ON CONFLICT (property_id) DO UPDATE SET building_id = EXCLUDED.building_id, "
               "building_name = EXCLUDED.building_name, credential_id = EXCLUDED.credential_id, "
               "placeholder_unit_id = EXCLUDED.placeholder_unit_id, "
               "placeholder_tenant_id = EXCLUDED.placeholder_tenant_id, "
               "webhook_secret_hash = EXCLUDED.webhook_secret_hash, "
               "bmx_integration_id = EXCLUDED.bmx_integration_id, "
               "configured_by = EXCLUDED.configured_by, configured_at = now() "
               "RETURNING rfc3339(configured_at)");
  pool.prepare("bmx_building_taken",
               "SELECT property_id FROM bmx_integrations WHERE building_id = $1 "
               "AND property_id <> $2");
  pool.prepare("bmx_setup_request_insert",
               "INSERT INTO bmx_setup_requests (property_id, requested_by, building_name, note) "
               "VALUES ($1, $2, $3, $4) RETURNING id, rfc3339(created_at)");

  pool.prepare("bmx_site_building",
               "SELECT building_id, building_name FROM bmx_integrations WHERE property_id = $1");
  pool.prepare("bmx_link_get",
               "SELECT property_id, credential_id, building_id, tenant_id, unit_id, "
               "contact_preference, rfc3339(linked_at), checked_at < $2::timestamptz, "
               // With the BMX app on a phone too, the resident is told how to ring here.
               "(SELECT coalesce(bool_or(bmx_app_installed), false) FROM device_tokens d "
               "WHERE d.user_id = $1) FROM bmx_links WHERE user_id = $1 AND property_id = $3");
  pool.prepare("bmx_link_upsert",
               "WITH old AS (SELECT credential_id FROM bmx_links WHERE user_id = $1 "
               "AND property_id = $2), "
               "revoked AS (UPDATE bmx_credentials SET revoked_at = now() "
               "WHERE id IN (SELECT credential_id FROM old)) "
               "INSERT INTO bmx_links (user_id, property_id, credential_id, building_id, "
               "tenant_id, unit_id, contact_preference) VALUES ($1, $2, $3, $4, $5, $6, $7) "
               "ON CONFLICT (user_id, property_id) DO UPDATE SET "
               "credential_id = EXCLUDED.credential_id, building_id = EXCLUDED.building_id, "
               "tenant_id = EXCLUDED.tenant_id, unit_id = EXCLUDED.unit_id, "
               "contact_preference = EXCLUDED.contact_preference, linked_at = now(), "
               "checked_at = now() RETURNING rfc3339(linked_at)");
  pool.prepare("bmx_link_checked",
               "UPDATE bmx_links SET contact_preference = $2, checked_at = $3 "
               "WHERE user_id = $1 AND property_id = $4");
  pool.prepare(
      "bmx_link_delete",
      "WITH gone AS (DELETE FROM bmx_links WHERE user_id = $1 "
      "AND ($2::uuid IS NULL OR property_id = $2::uuid) "
      "RETURNING credential_id, property_id, tenant_id) "
      "UPDATE bmx_credentials c SET revoked_at = coalesce(c.revoked_at, now()) "
      "FROM gone WHERE c.id = gone.credential_id RETURNING gone.property_id, gone.tenant_id");
  pool.prepare("bmx_link_access",
               "SELECT credential_id, tenant_id, building_id FROM bmx_links "
               "WHERE user_id = $1 AND property_id = $2");
  pool.prepare("bmx_site_access",
               "SELECT credential_id, placeholder_tenant_id, building_id FROM bmx_integrations "
               "WHERE property_id = $1");
  // Whose BMX sign-in opens a door for this resident: their own when linked, else
  // the building admin's on the site's placeholder tenant. One round trip.
  pool.prepare("bmx_door_access",
               "SELECT credential_id, tenant_id, building_id FROM ("
               "SELECT 0 AS rank, credential_id, tenant_id, building_id FROM bmx_links "
               "WHERE user_id = $1 AND property_id = $2 UNION ALL "
               "SELECT 1, credential_id, placeholder_tenant_id, building_id FROM bmx_integrations "
               "WHERE property_id = $2) a ORDER BY rank LIMIT 1");
  pool.prepare("bmx_link_by_tenant",
               "SELECT user_id FROM bmx_links WHERE building_id = $1 AND tenant_id = $2");
  pool.prepare("bmx_state_insert",
               "WITH expired AS (DELETE FROM bmx_link_states WHERE user_id = $1 "
               "AND expires_at < now()) "
               "INSERT INTO bmx_link_states (state_hash, user_id, expires_at, property_id) "
               "VALUES ($2, $1, $3, $4)");
  pool.prepare("bmx_sweep_link_states",
               "DELETE FROM bmx_link_states WHERE state_hash IN (SELECT state_hash FROM "
               "bmx_link_states WHERE expires_at < now() - $1 * interval '1 second' LIMIT $2 "
               "FOR UPDATE SKIP LOCKED)");
  // The state says which property the sign-in was started for.
  pool.prepare("bmx_state_take",
               "DELETE FROM bmx_link_states WHERE state_hash = $1 AND user_id = $2 "
               "AND expires_at > $3 RETURNING property_id");

  // The secret is checked before the body is read, so that nobody without it
  // costs a parse, a write or an error line.
  pool.prepare("bmx_webhook_property",
               "SELECT property_id FROM bmx_integrations WHERE webhook_secret_hash = $1");
  // One round trip for a webhook: note the delivery, keep the event once, and
  // queue its processing.
  pool.prepare("bmx_webhook_receive",
               "WITH integration AS (UPDATE bmx_integrations SET last_webhook_at = now() "
               "WHERE property_id = $1 RETURNING property_id), "
               "event AS (INSERT INTO bmx_webhook_events (property_id, resource_type, action, "
               "resource_id, payload) SELECT property_id, $2, $3, $4, $5::jsonb FROM integration "
               "WHERE $2 <> '' ON CONFLICT DO NOTHING RETURNING id), "
               // notify's outbox_enqueue queues it and wakes the urgent BMX lane on
               // commit: a call to ring or an entry to count never waits behind
               // a backlog of pass issuances.
               "queued AS (SELECT outbox_enqueue('bmx_urgent', 'bmx-webhook:' || id, "
               "jsonb_build_object('kind', 'webhook', 'event_id', id), false) AS id FROM event) "
               "SELECT (SELECT count(*) FROM integration), (SELECT count(id) FROM queued)");
  pool.prepare("bmx_webhook_event",
               "SELECT e.property_id, e.resource_type, e.resource_id, i.building_id, "
               "i.credential_id FROM bmx_webhook_events e "
               "JOIN bmx_integrations i ON i.property_id = e.property_id WHERE e.id = $1");
  pool.prepare("bmx_webhook_processed",
               "UPDATE bmx_webhook_events SET processed_at = now(), outcome = $2 WHERE id = $1");

  pool.prepare("bmx_error_record",
               "INSERT INTO bmx_errors (property_id, operation, kind, bmx_status, detail, "
               "bmx_request_id) VALUES ($1, $2, $3, $4, $5, $6) "
               "ON CONFLICT (property_id, operation) DO UPDATE SET kind = EXCLUDED.kind, "
               "bmx_status = EXCLUDED.bmx_status, detail = EXCLUDED.detail, "
               "bmx_request_id = EXCLUDED.bmx_request_id, occurred_at = now()");
  pool.prepare("bmx_health",
               "SELECT i.building_id, i.building_name, rfc3339(c.access_expires_at), "
               "rfc3339(c.revoked_at), rfc3339(i.last_webhook_at), rfc3339(i.configured_at), "
               "(SELECT count(*) FROM bmx_webhook_events e WHERE e.property_id = i.property_id "
               "AND e.processed_at IS NULL) "
               "FROM bmx_integrations i JOIN bmx_credentials c ON c.id = i.credential_id "
               "WHERE i.property_id = $1");
  pool.prepare("bmx_errors_for",
               "SELECT operation, kind, bmx_status, detail, bmx_request_id, rfc3339(occurred_at) "
               "FROM bmx_errors WHERE property_id = $1 ORDER BY occurred_at DESC");
  pool.prepare(
      "bmx_setup_requests_for",
      "SELECT count(*), rfc3339(max(created_at)) FROM bmx_setup_requests WHERE property_id = $1");
}

namespace {

std::optional<SignIn> sign_in_from(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return SignIn{rows[0][0].as<std::string>(), rows[0][1].as<std::int64_t>(),
                rows[0][2].as<std::int64_t>()};
}

std::optional<std::string> first_text(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

}  // namespace

std::optional<std::string> site_name(pqxx::transaction_base& tx, const std::string& property_id) {
  return first_text(tx.exec_prepared("bmx_property_site", property_id));
}

bool building_taken(pqxx::transaction_base& tx, std::int64_t building_id,
                    const std::string& property_id) {
  return !tx.exec_prepared("bmx_building_taken", building_id, property_id).empty();
}

std::optional<Site> site(pqxx::transaction_base& tx, const std::string& property_id) {
  const auto rows = tx.exec_prepared("bmx_integration_get", property_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return Site{row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
              row[3].as<std::int64_t>(), row[6].as<std::string>()};
}

std::string upsert_integration(pqxx::transaction_base& tx, const NewIntegration& integration) {
  return tx
      .exec_prepared1("bmx_integration_upsert", integration.property_id, integration.building_id,
                      integration.building_name, integration.credential_id,
                      integration.placeholder_unit_id, integration.placeholder_tenant_id,
                      integration.webhook_secret_hash, integration.bmx_integration_id,
                      integration.configured_by)[0]
      .as<std::string>();
}

Created insert_set_up_request(pqxx::transaction_base& tx, const std::string& property_id,
                              const std::string& requested_by,
                              const std::optional<std::string>& building_name,
                              const std::optional<std::string>& note) {
  const auto row =
      tx.exec_prepared1("bmx_setup_request_insert", property_id, requested_by, building_name, note);
  return {row[0].as<std::string>(), row[1].as<std::string>()};
}

std::optional<StoredLink> find_link(pqxx::transaction_base& tx, const std::string& user_id,
                                    const std::string& property_id,
                                    const std::string& fresh_after) {
  const auto rows = tx.exec_prepared("bmx_link_get", user_id, fresh_after, property_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return StoredLink{row[1].as<std::string>(),
                    {row[3].as<std::int64_t>(), row[2].as<std::int64_t>(), row[5].as<std::string>(),
                     row[6].as<std::string>()},
                    row[7].as<bool>(),
                    row[8].as<bool>()};
}

std::string upsert_link(pqxx::transaction_base& tx, const NewLink& link) {
  return tx
      .exec_prepared1("bmx_link_upsert", link.user_id, link.property_id, link.credential_id,
                      link.building_id, link.tenant_id, link.unit_id, link.contact_preference)[0]
      .as<std::string>();
}

void mark_link_checked(pqxx::transaction_base& tx, const std::string& user_id,
                       const std::string& property_id, const std::string& contact_preference,
                       const std::string& checked_at) {
  tx.exec_prepared("bmx_link_checked", user_id, contact_preference, checked_at, property_id);
}

std::optional<Unlinked> delete_link(pqxx::transaction_base& tx, const std::string& user_id,
                                    const std::optional<std::string>& property_id) {
  const auto rows = tx.exec_prepared("bmx_link_delete", user_id, property_id);
  if (rows.empty()) return std::nullopt;
  return Unlinked{rows[0][0].as<std::string>(), rows[0][1].as<std::int64_t>()};
}

std::optional<SiteBuilding> site_building(pqxx::transaction_base& tx,
                                          const std::string& property_id) {
  const auto rows = tx.exec_prepared("bmx_site_building", property_id);
  if (rows.empty()) return std::nullopt;
  return SiteBuilding{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::string>()};
}

void insert_link_state(pqxx::transaction_base& tx, const std::string& user_id,
                       const std::string& state_hash, const std::string& expires_at,
                       const std::string& property_id) {
  tx.exec_prepared("bmx_state_insert", user_id, state_hash, expires_at, property_id);
}

std::optional<std::string> take_link_state(pqxx::transaction_base& tx,
                                           const std::string& state_hash,
                                           const std::string& user_id, const std::string& now) {
  return first_text(tx.exec_prepared("bmx_state_take", state_hash, user_id, now));
}

long long sweep_link_states(db::Pool& pool, std::chrono::seconds retention) {
  return db::sweep(pool, "bmx_sweep_link_states", retention.count());
}

std::optional<SignIn> resident_sign_in(pqxx::transaction_base& tx, const std::string& user_id,
                                       const std::string& property_id) {
  return sign_in_from(tx.exec_prepared("bmx_link_access", user_id, property_id));
}

std::optional<SignIn> site_sign_in(pqxx::transaction_base& tx, const std::string& property_id) {
  return sign_in_from(tx.exec_prepared("bmx_site_access", property_id));
}

std::optional<SignIn> door_sign_in(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id) {
  return sign_in_from(tx.exec_prepared("bmx_door_access", user_id, property_id));
}

std::optional<std::string> linked_user(pqxx::transaction_base& tx, std::int64_t building_id,
                                       std::int64_t tenant_id) {
  return first_text(tx.exec_prepared("bmx_link_by_tenant", building_id, tenant_id));
}

std::optional<std::string> webhook_property(pqxx::transaction_base& tx,
                                            const std::string& secret_hash) {
  return first_text(tx.exec_prepared("bmx_webhook_property", secret_hash));
}

Received receive_webhook(pqxx::transaction_base& tx, const std::string& property_id,
                         const std::string& resource_type, const std::string& action,
                         std::int64_t resource_id, const std::string& payload) {
  const auto row = tx.exec_prepared1("bmx_webhook_receive", property_id, resource_type, action,
                                     resource_id, payload);
  return {row[0].as<int>() > 0, row[1].as<int>() > 0};
}

std::optional<QueuedEvent> webhook_event(pqxx::transaction_base& tx, const std::string& event_id) {
  const auto rows = tx.exec_prepared("bmx_webhook_event", event_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return QueuedEvent{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
                     row[3].as<std::int64_t>(), row[4].as<std::string>()};
}

void mark_webhook_processed(pqxx::transaction_base& tx, const std::string& event_id,
                            const std::string& outcome) {
  tx.exec_prepared("bmx_webhook_processed", event_id, outcome);
}

void record_error(pqxx::transaction_base& tx, const Failure& failure) {
  tx.exec_prepared("bmx_error_record", failure.property_id, failure.operation, failure.kind,
                   failure.bmx_status, failure.detail, failure.bmx_request_id);
}

std::vector<RecordedError> errors_for(pqxx::transaction_base& tx, const std::string& property_id) {
  std::vector<RecordedError> errors;
  for (const auto& row : tx.exec_prepared("bmx_errors_for", property_id)) {
    errors.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                      db::optional_of<int>(row[2]).value_or(0), row[3].as<std::string>(),
                      db::optional_of<std::string>(row[4]), row[5].as<std::string>()});
  }
  return errors;
}

std::optional<ConnectedSite> connected_site(pqxx::transaction_base& tx,
                                            const std::string& property_id) {
  const auto rows = tx.exec_prepared("bmx_health", property_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return ConnectedSite{row[0].as<std::int64_t>(),
                       row[1].as<std::string>(),
                       row[2].as<std::string>(),
                       db::optional_of<std::string>(row[3]),
                       db::optional_of<std::string>(row[4]),
                       row[5].as<std::string>(),
                       row[6].as<int>()};
}

SetUpRequests set_up_requests_for(pqxx::transaction_base& tx, const std::string& property_id) {
  const auto row = tx.exec_prepared1("bmx_setup_requests_for", property_id);
  return {row[0].as<int>(), db::optional_of<std::string>(row[1])};
}

// --- Credentials ------------------------------------------------------------

namespace {

constexpr db::Statement kCredentialInsert{"bmx_credential_insert", R"sql(
  INSERT INTO bmx_credentials (id, key_id, access_token, refresh_token, access_expires_at)
  VALUES ($1, $2, $3, $4, $5))sql",
                                          5};
constexpr db::Statement kCredentialRotate{"bmx_credential_rotate", R"sql(
  UPDATE bmx_credentials SET key_id = $2, access_token = $3, refresh_token = $4,
    access_expires_at = $5, rotated_at = now()
  WHERE id = $1)sql",
                                          5};
constexpr db::Statement kCredentialGet{"bmx_credential_get", R"sql(
  SELECT key_id, access_token, refresh_token, access_expires_at, revoked_at IS NOT NULL AS revoked
  FROM bmx_credentials WHERE id = $1)sql",
                                       1};
constexpr db::Statement kCredentialLock{"bmx_credential_lock", R"sql(
  SELECT key_id, access_token, refresh_token, access_expires_at, revoked_at IS NOT NULL AS revoked
  FROM bmx_credentials WHERE id = $1 FOR UPDATE)sql",
                                        1};
constexpr db::Statement kCredentialRevoke{
    "bmx_credential_revoke",
    "UPDATE bmx_credentials SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", 1};

struct CredentialRow {
  std::string key_id;
  db::Bytes access_token;
  db::Bytes refresh_token;
  common::TimePoint access_expires_at;
  bool revoked = false;
};

void write_credential(pqxx::transaction_base& tx, const db::Statement& statement,
                      const std::string& id, const SealedPair& pair) {
  const pqxx::binarystring access(pair.access_token.data(), pair.access_token.size());
  const pqxx::binarystring refresh(pair.refresh_token.data(), pair.refresh_token.size());
  db::exec(tx, statement, id, pair.key_id, access, refresh,
           common::to_sql_timestamp(pair.access_expires_at));
}

}  // namespace
}  // namespace frontdoor::bmx::store

template <>
struct frontdoor::db::Shape<frontdoor::bmx::store::CredentialRow> {
  using Row = bmx::store::CredentialRow;
  static constexpr auto columns = std::make_tuple(
      column("key_id", &Row::key_id), column("access_token", &Row::access_token),
      column("refresh_token", &Row::refresh_token),
      column("access_expires_at", &Row::access_expires_at), column("revoked", &Row::revoked));
};

namespace frontdoor::bmx::store {
namespace {

std::optional<StoredCredential> stored_from(const pqxx::result& result) {
  auto row = db::read_first<CredentialRow>(result);
  if (!row) return std::nullopt;
  return StoredCredential{{std::move(row->key_id), std::move(row->access_token.bytes),
                           std::move(row->refresh_token.bytes), row->access_expires_at},
                          row->revoked};
}

}  // namespace

void prepare_credentials(db::Pool& pool) {
  for (const auto* statement : {&kCredentialInsert, &kCredentialRotate, &kCredentialGet,
                                &kCredentialLock, &kCredentialRevoke}) {
    pool.prepare(*statement);
  }
}

void insert_credential(pqxx::transaction_base& tx, const std::string& id, const SealedPair& pair) {
  write_credential(tx, kCredentialInsert, id, pair);
}

void rotate_credential(pqxx::transaction_base& tx, const std::string& id, const SealedPair& pair) {
  write_credential(tx, kCredentialRotate, id, pair);
}

std::optional<StoredCredential> credential(pqxx::transaction_base& tx, const std::string& id) {
  return stored_from(db::exec(tx, kCredentialGet, id));
}

std::optional<StoredCredential> locked_credential(pqxx::transaction_base& tx,
                                                  const std::string& id) {
  return stored_from(db::exec(tx, kCredentialLock, id));
}

void revoke_credential(pqxx::transaction_base& tx, const std::string& id) {
  db::exec(tx, kCredentialRevoke, id);
}

}  // namespace frontdoor::bmx::store
