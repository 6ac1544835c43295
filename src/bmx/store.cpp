// SQL of the bmx module, behind the typed functions of store.hpp.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::bmx::store {
namespace {

constexpr db::Statement kSiteName{"bmx_property_site",
                                  "SELECT site_name AS value FROM property_rules WHERE id = $1", 1};
constexpr db::Statement kIntegration{"bmx_integration_get", R"sql(
  SELECT building_id, building_name, placeholder_unit_id, placeholder_tenant_id, configured_at
  FROM bmx_integrations WHERE property_id = $1)sql",
                                     1};
// The previous credential (on a second set-up) is revoked in the same statement.
constexpr db::Statement kUpsertIntegration{"bmx_integration_upsert", R"sql(
  WITH old AS (SELECT credential_id FROM bmx_integrations WHERE property_id = $1),
  revoked AS (UPDATE bmx_credentials SET revoked_at = now()
              WHERE id IN (SELECT credential_id FROM old) AND id <> $4)
  INSERT INTO bmx_integrations (property_id, building_id, building_name, credential_id,
    placeholder_unit_id, placeholder_tenant_id, webhook_secret_hash, bmx_integration_id,
    configured_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (property_id) DO UPDATE SET building_id = EXCLUDED.building_id,
    building_name = EXCLUDED.building_name, credential_id = EXCLUDED.credential_id,
    placeholder_unit_id = EXCLUDED.placeholder_unit_id,
    placeholder_tenant_id = EXCLUDED.placeholder_tenant_id,
    webhook_secret_hash = EXCLUDED.webhook_secret_hash,
    bmx_integration_id = EXCLUDED.bmx_integration_id, configured_by = EXCLUDED.configured_by,
    configured_at = now()
  RETURNING configured_at AS at)sql",
                                           9};
constexpr db::Statement kBuildingTaken{"bmx_building_taken", R"sql(
  SELECT property_id AS value FROM bmx_integrations WHERE building_id = $1 AND property_id <> $2)sql",
                                       2};
constexpr db::Statement kInsertSetUpRequest{"bmx_setup_request_insert", R"sql(
  INSERT INTO bmx_setup_requests (property_id, requested_by, building_name, note)
  VALUES ($1, $2, $3, $4) RETURNING id, created_at)sql",
                                            4};
constexpr db::Statement kSiteBuilding{"bmx_site_building", R"sql(
  SELECT building_id AS id, building_name AS name FROM bmx_integrations WHERE property_id = $1)sql",
                                      1};
// With the BMX app on a phone too, the resident is told how to ring here.
constexpr db::Statement kFindLink{"bmx_link_get", R"sql(
  SELECT credential_id, tenant_id, building_id, contact_preference, linked_at,
         checked_at < $2::timestamptz AS stale,
         (SELECT coalesce(bool_or(bmx_app_installed), false) FROM device_tokens d
          WHERE d.user_id = $1) AS bmx_app_installed
  FROM bmx_links WHERE user_id = $1 AND property_id = $3)sql",
                                  3};
constexpr db::Statement kUpsertLink{"bmx_link_upsert", R"sql(
  WITH old AS (SELECT credential_id FROM bmx_links WHERE user_id = $1 AND property_id = $2),
  revoked AS (UPDATE bmx_credentials SET revoked_at = now()
              WHERE id IN (SELECT credential_id FROM old))
  INSERT INTO bmx_links (user_id, property_id, credential_id, building_id, tenant_id, unit_id,
                         contact_preference)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (user_id, property_id) DO UPDATE SET credential_id = EXCLUDED.credential_id,
    building_id = EXCLUDED.building_id, tenant_id = EXCLUDED.tenant_id,
    unit_id = EXCLUDED.unit_id, contact_preference = EXCLUDED.contact_preference,
    linked_at = now(), checked_at = now()
  RETURNING linked_at AS at)sql",
                                    7};
constexpr db::Statement kLinkChecked{"bmx_link_checked", R"sql(
  UPDATE bmx_links SET contact_preference = $2, checked_at = $3
  WHERE user_id = $1 AND property_id = $4)sql",
                                     4};
constexpr db::Statement kDeleteLink{"bmx_link_delete", R"sql(
  WITH gone AS (DELETE FROM bmx_links
                WHERE user_id = $1 AND ($2::uuid IS NULL OR property_id = $2::uuid)
                RETURNING credential_id, property_id, tenant_id)
  UPDATE bmx_credentials c SET revoked_at = coalesce(c.revoked_at, now())
  FROM gone WHERE c.id = gone.credential_id RETURNING gone.property_id, gone.tenant_id)sql",
                                    2};
constexpr db::Statement kResidentSignIn{"bmx_link_access", R"sql(
  SELECT credential_id, tenant_id, building_id FROM bmx_links
  WHERE user_id = $1 AND property_id = $2)sql",
                                        2};
constexpr db::Statement kSiteSignIn{"bmx_site_access", R"sql(
  SELECT credential_id, placeholder_tenant_id AS tenant_id, building_id FROM bmx_integrations
  WHERE property_id = $1)sql",
                                    1};
// Whose BMX sign-in opens a door for this resident: their own when linked, else
// the building admin's on the site's placeholder tenant. One round trip.
constexpr db::Statement kDoorSignIn{"bmx_door_access", R"sql(
  SELECT credential_id, tenant_id, building_id FROM (
    SELECT 0 AS rank, credential_id, tenant_id, building_id FROM bmx_links
    WHERE user_id = $1 AND property_id = $2
    UNION ALL
    SELECT 1, credential_id, placeholder_tenant_id, building_id FROM bmx_integrations
    WHERE property_id = $2) a
  ORDER BY rank LIMIT 1)sql",
                                    2};
constexpr db::Statement kLinkedUser{"bmx_link_by_tenant", R"sql(
  SELECT user_id AS value FROM bmx_links WHERE building_id = $1 AND tenant_id = $2)sql",
                                    2};
constexpr db::Statement kInsertLinkState{"bmx_state_insert", R"sql(
  WITH expired AS (DELETE FROM bmx_link_states WHERE user_id = $1 AND expires_at < now())
  INSERT INTO bmx_link_states (state_hash, user_id, expires_at, property_id)
  VALUES ($2, $1, $3, $4))sql",
                                         4};
constexpr db::Statement kSweepLinkStates{"bmx_sweep_link_states", R"sql(
  DELETE FROM bmx_link_states WHERE state_hash IN (
    SELECT state_hash FROM bmx_link_states WHERE expires_at < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                         2};
// The state says which property the sign-in was started for.
constexpr db::Statement kTakeLinkState{"bmx_state_take", R"sql(
  DELETE FROM bmx_link_states WHERE state_hash = $1 AND user_id = $2 AND expires_at > $3
  RETURNING property_id AS value)sql",
                                       3};
// The secret is checked before the body is read, so that nobody without it
// costs a parse, a write or an error line.
constexpr db::Statement kWebhookProperty{"bmx_webhook_property", R"sql(
  SELECT property_id AS value FROM bmx_integrations WHERE webhook_secret_hash = $1)sql",
                                         1};
// One round trip for a webhook: note the delivery, keep the event once, and
// queue its processing. notify's outbox_enqueue queues it and wakes the urgent
// BMX lane on commit: a call to ring or an entry to count never waits behind a
// backlog of pass issuances.
constexpr db::Statement kReceiveWebhook{"bmx_webhook_receive", R"sql(
  WITH integration AS (UPDATE bmx_integrations SET last_webhook_at = now()
                       WHERE property_id = $1 RETURNING property_id),
  event AS (INSERT INTO bmx_webhook_events (property_id, resource_type, action, resource_id,
                                            payload)
            SELECT property_id, $2, $3, $4, $5::jsonb FROM integration WHERE $2 <> ''
            ON CONFLICT DO NOTHING RETURNING id),
  queued AS (SELECT outbox_enqueue('bmx_urgent', 'bmx-webhook:' || id,
                                   jsonb_build_object('kind', 'webhook', 'event_id', id),
                                   false) AS id FROM event)
  SELECT (SELECT count(*) FROM integration) > 0 AS integration_found,
         (SELECT count(id) FROM queued) > 0 AS queued)sql",
                                        5};
constexpr db::Statement kWebhookEvent{"bmx_webhook_event", R"sql(
  SELECT e.property_id, e.resource_type, e.resource_id, i.building_id, i.credential_id
  FROM bmx_webhook_events e JOIN bmx_integrations i ON i.property_id = e.property_id
  WHERE e.id = $1)sql",
                                      1};
constexpr db::Statement kWebhookProcessed{"bmx_webhook_processed", R"sql(
  UPDATE bmx_webhook_events SET processed_at = now(), outcome = $2 WHERE id = $1)sql",
                                          2};
constexpr db::Statement kRecordError{"bmx_error_record", R"sql(
  INSERT INTO bmx_errors (property_id, operation, kind, bmx_status, detail, bmx_request_id)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (property_id, operation) DO UPDATE SET kind = EXCLUDED.kind,
    bmx_status = EXCLUDED.bmx_status, detail = EXCLUDED.detail,
    bmx_request_id = EXCLUDED.bmx_request_id, occurred_at = now())sql",
                                     6};
constexpr db::Statement kConnectedSite{"bmx_health", R"sql(
  SELECT i.building_id, i.building_name, c.access_expires_at, c.revoked_at, i.last_webhook_at,
         i.configured_at,
         (SELECT count(*) FROM bmx_webhook_events e
          WHERE e.property_id = i.property_id AND e.processed_at IS NULL) AS webhooks_waiting
  FROM bmx_integrations i JOIN bmx_credentials c ON c.id = i.credential_id
  WHERE i.property_id = $1)sql",
                                       1};
constexpr db::Statement kErrorsFor{"bmx_errors_for", R"sql(
  SELECT operation, kind, coalesce(bmx_status, 0) AS bmx_status, detail, bmx_request_id,
         occurred_at
  FROM bmx_errors WHERE property_id = $1 ORDER BY occurred_at DESC)sql",
                                   1};
constexpr db::Statement kSetUpRequestsFor{"bmx_setup_requests_for", R"sql(
  SELECT count(*) AS count, max(created_at) AS last_at
  FROM bmx_setup_requests WHERE property_id = $1)sql",
                                          1};

// One text answer (an id, a name).
struct TextRow {
  std::string value;
};
// When a row was written.
struct TimeRow {
  common::TimePoint at;
};
struct LinkRow {
  std::string credential_id;
  std::int64_t tenant_id = 0;
  std::int64_t building_id = 0;
  std::string contact_preference;
  common::TimePoint linked_at;
  bool stale = false;
  bool bmx_app_installed = false;
};

}  // namespace
}  // namespace frontdoor::bmx::store

namespace frontdoor::db {

using namespace bmx;
using namespace bmx::store;

template <>
struct Shape<TextRow> {
  static constexpr auto columns = std::make_tuple(column("value", &TextRow::value));
};
template <>
struct Shape<TimeRow> {
  static constexpr auto columns = std::make_tuple(column("at", &TimeRow::at));
};
template <>
struct Shape<Site> {
  static constexpr auto columns = std::make_tuple(
      column("building_id", &Site::building_id), column("building_name", &Site::building_name),
      column("placeholder_unit_id", &Site::placeholder_unit_id),
      column("placeholder_tenant_id", &Site::placeholder_tenant_id),
      column("configured_at", &Site::configured_at));
};
template <>
struct Shape<Created> {
  static constexpr auto columns =
      std::make_tuple(column("id", &Created::id), column("created_at", &Created::created_at));
};
template <>
struct Shape<LinkRow> {
  static constexpr auto columns = std::make_tuple(
      column("credential_id", &LinkRow::credential_id), column("tenant_id", &LinkRow::tenant_id),
      column("building_id", &LinkRow::building_id),
      column("contact_preference", &LinkRow::contact_preference),
      column("linked_at", &LinkRow::linked_at), column("stale", &LinkRow::stale),
      column("bmx_app_installed", &LinkRow::bmx_app_installed));
};
template <>
struct Shape<Unlinked> {
  static constexpr auto columns = std::make_tuple(column("property_id", &Unlinked::property_id),
                                                  column("tenant_id", &Unlinked::tenant_id));
};
template <>
struct Shape<SiteBuilding> {
  static constexpr auto columns =
      std::make_tuple(column("id", &SiteBuilding::id), column("name", &SiteBuilding::name));
};
template <>
struct Shape<SignIn> {
  static constexpr auto columns = std::make_tuple(column("credential_id", &SignIn::credential_id),
                                                  column("tenant_id", &SignIn::tenant_id),
                                                  column("building_id", &SignIn::building_id));
};
template <>
struct Shape<Received> {
  static constexpr auto columns =
      std::make_tuple(column("integration_found", &Received::integration_found),
                      column("queued", &Received::queued));
};
template <>
struct Shape<QueuedEvent> {
  using R = QueuedEvent;
  static constexpr auto columns = std::make_tuple(
      column("property_id", &R::property_id), column("resource_type", &R::resource_type),
      column("resource_id", &R::resource_id), column("building_id", &R::building_id),
      column("credential_id", &R::credential_id));
};
template <>
struct Shape<RecordedError> {
  using R = RecordedError;
  static constexpr auto columns = std::make_tuple(
      column("operation", &R::operation), column("kind", &R::kind),
      column("bmx_status", &R::bmx_status), column("detail", &R::detail),
      column("bmx_request_id", &R::bmx_request_id), column("occurred_at", &R::occurred_at));
};
template <>
struct Shape<ConnectedSite> {
  using R = ConnectedSite;
  static constexpr auto columns = std::make_tuple(
      column("building_id", &R::building_id), column("building_name", &R::building_name),
      column("access_expires_at", &R::access_expires_at), column("revoked_at", &R::revoked_at),
      column("last_webhook_at", &R::last_webhook_at), column("configured_at", &R::configured_at),
      column("webhooks_waiting", &R::webhooks_waiting));
};
template <>
struct Shape<SetUpRequests> {
  static constexpr auto columns = std::make_tuple(column("count", &SetUpRequests::count),
                                                  column("last_at", &SetUpRequests::last_at));
};

}  // namespace frontdoor::db

namespace frontdoor::bmx::store {
namespace {

std::optional<std::string> first_text(const pqxx::result& result) {
  auto row = db::read_first<TextRow>(result);
  if (!row) return std::nullopt;
  return std::move(row->value);
}

}  // namespace

void prepare(db::Pool& pool) {
  for (const auto* statement :
       {&kSiteName,           &kIntegration,     &kUpsertIntegration, &kBuildingTaken,
        &kInsertSetUpRequest, &kSiteBuilding,    &kFindLink,          &kUpsertLink,
        &kLinkChecked,        &kDeleteLink,      &kResidentSignIn,    &kSiteSignIn,
        &kDoorSignIn,         &kLinkedUser,      &kInsertLinkState,   &kSweepLinkStates,
        &kTakeLinkState,      &kWebhookProperty, &kReceiveWebhook,    &kWebhookEvent,
        &kWebhookProcessed,   &kRecordError,     &kConnectedSite,     &kErrorsFor,
        &kSetUpRequestsFor}) {
    pool.prepare(*statement);
  }
}

std::optional<std::string> site_name(pqxx::transaction_base& tx, const std::string& property_id) {
  return first_text(db::exec(tx, kSiteName, property_id));
}

bool building_taken(pqxx::transaction_base& tx, std::int64_t building_id,
                    const std::string& property_id) {
  return first_text(db::exec(tx, kBuildingTaken, building_id, property_id)).has_value();
}

std::optional<Site> site(pqxx::transaction_base& tx, const std::string& property_id) {
  return db::read_first<Site>(db::exec(tx, kIntegration, property_id));
}

common::TimePoint upsert_integration(pqxx::transaction_base& tx,
                                     const NewIntegration& integration) {
  return db::read_one<TimeRow>(db::exec(tx, kUpsertIntegration, integration.property_id,
                                        integration.building_id, integration.building_name,
                                        integration.credential_id, integration.placeholder_unit_id,
                                        integration.placeholder_tenant_id,
                                        integration.webhook_secret_hash,
                                        integration.bmx_integration_id, integration.configured_by))
      .at;
}

Created insert_set_up_request(pqxx::transaction_base& tx, const std::string& property_id,
                              const std::string& requested_by,
                              const std::optional<std::string>& building_name,
                              const std::optional<std::string>& note) {
  return db::read_one<Created>(
      db::exec(tx, kInsertSetUpRequest, property_id, requested_by, building_name, note));
}

std::optional<StoredLink> find_link(pqxx::transaction_base& tx, const std::string& user_id,
                                    const std::string& property_id, common::TimePoint fresh_after) {
  auto row = db::read_first<LinkRow>(
      db::exec(tx, kFindLink, user_id, common::to_sql_timestamp(fresh_after), property_id));
  if (!row) return std::nullopt;
  return StoredLink{
      std::move(row->credential_id),
      {row->tenant_id, row->building_id, std::move(row->contact_preference), row->linked_at},
      row->stale,
      row->bmx_app_installed};
}

common::TimePoint upsert_link(pqxx::transaction_base& tx, const NewLink& link) {
  return db::read_one<TimeRow>(db::exec(tx, kUpsertLink, link.user_id, link.property_id,
                                        link.credential_id, link.building_id, link.tenant_id,
                                        link.unit_id, link.contact_preference))
      .at;
}

void mark_link_checked(pqxx::transaction_base& tx, const std::string& user_id,
                       const std::string& property_id, const std::string& contact_preference,
                       common::TimePoint checked_at) {
  db::exec(tx, kLinkChecked, user_id, contact_preference, common::to_sql_timestamp(checked_at),
           property_id);
}

std::optional<Unlinked> delete_link(pqxx::transaction_base& tx, const std::string& user_id,
                                    const std::optional<std::string>& property_id) {
  return db::read_first<Unlinked>(db::exec(tx, kDeleteLink, user_id, property_id));
}

std::optional<SiteBuilding> site_building(pqxx::transaction_base& tx,
                                          const std::string& property_id) {
  return db::read_first<SiteBuilding>(db::exec(tx, kSiteBuilding, property_id));
}

void insert_link_state(pqxx::transaction_base& tx, const std::string& user_id,
                       const std::string& state_hash, common::TimePoint expires_at,
                       const std::string& property_id) {
  db::exec(tx, kInsertLinkState, user_id, state_hash, common::to_sql_timestamp(expires_at),
           property_id);
}

std::optional<std::string> take_link_state(pqxx::transaction_base& tx,
                                           const std::string& state_hash,
                                           const std::string& user_id, common::TimePoint now) {
  return first_text(
      db::exec(tx, kTakeLinkState, state_hash, user_id, common::to_sql_timestamp(now)));
}

long long sweep_link_states(db::Pool& pool, std::chrono::seconds retention) {
  return db::sweep(pool, kSweepLinkStates, retention.count());
}

std::optional<SignIn> resident_sign_in(pqxx::transaction_base& tx, const std::string& user_id,
                                       const std::string& property_id) {
  return db::read_first<SignIn>(db::exec(tx, kResidentSignIn, user_id, property_id));
}

std::optional<SignIn> site_sign_in(pqxx::transaction_base& tx, const std::string& property_id) {
  return db::read_first<SignIn>(db::exec(tx, kSiteSignIn, property_id));
}

std::optional<SignIn> door_sign_in(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id) {
  return db::read_first<SignIn>(db::exec(tx, kDoorSignIn, user_id, property_id));
}

std::optional<std::string> linked_user(pqxx::transaction_base& tx, std::int64_t building_id,
                                       std::int64_t tenant_id) {
  return first_text(db::exec(tx, kLinkedUser, building_id, tenant_id));
}

std::optional<std::string> webhook_property(pqxx::transaction_base& tx,
                                            const std::string& secret_hash) {
  return first_text(db::exec(tx, kWebhookProperty, secret_hash));
}

Received receive_webhook(pqxx::transaction_base& tx, const std::string& property_id,
                         const std::string& resource_type, const std::string& action,
                         std::int64_t resource_id, const std::string& payload) {
  return db::read_one<Received>(
      db::exec(tx, kReceiveWebhook, property_id, resource_type, action, resource_id, payload));
}

std::optional<QueuedEvent> webhook_event(pqxx::transaction_base& tx, const std::string& event_id) {
  return db::read_first<QueuedEvent>(db::exec(tx, kWebhookEvent, event_id));
}

void mark_webhook_processed(pqxx::transaction_base& tx, const std::string& event_id,
                            const std::string& outcome) {
  db::exec(tx, kWebhookProcessed, event_id, outcome);
}

void record_error(pqxx::transaction_base& tx, const Failure& failure) {
  db::exec(tx, kRecordError, failure.property_id, failure.operation, failure.kind,
           failure.bmx_status, failure.detail, failure.bmx_request_id);
}

std::vector<RecordedError> errors_for(pqxx::transaction_base& tx, const std::string& property_id) {
  return db::read_all<RecordedError>(db::exec(tx, kErrorsFor, property_id));
}

std::optional<ConnectedSite> connected_site(pqxx::transaction_base& tx,
                                            const std::string& property_id) {
  return db::read_first<ConnectedSite>(db::exec(tx, kConnectedSite, property_id));
}

SetUpRequests set_up_requests_for(pqxx::transaction_base& tx, const std::string& property_id) {
  return db::read_one<SetUpRequests>(db::exec(tx, kSetUpRequestsFor, property_id));
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
