// SQL of the webhooks module, each statement declared once and read into a row
// struct by column name. Times the retry schedule judges come from the injected
// clock as parameters.
#include "store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::webhooks::store {
namespace {

constexpr db::Statement kNewId{"webhooks_new_id", "SELECT gen_random_uuid() AS id", 0};
// Creates at one property take turns until their transaction ends, so that a
// burst cannot all count the same number and all pass the limit.
constexpr db::Statement kLockProperty{"webhooks_lock_property", R"sql(
  SELECT pg_advisory_xact_lock(hashtextextended('webhook-subscriptions:' || $1, 0)))sql",
                                      1};
constexpr db::Statement kLiveCount{"webhooks_live_count", R"sql(
  SELECT count(*)::int AS live FROM webhook_subscriptions
  WHERE property_id = $1 AND deleted_at IS NULL)sql",
                                   1};
constexpr db::Statement kInsert{"webhooks_insert", R"sql(
  INSERT INTO webhook_subscriptions (id, property_id, url, events, description, secret_key_id,
                                     secret_sealed, created_by)
  VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, $6, $7,
          NULLIF($8, '')::uuid)
  RETURNING created_at)sql",
                                8};
// $2 is "now": the previous secret is shown while it still signs.
constexpr db::Statement kLive{"webhooks_live", R"sql(
  SELECT id, property_id, url, array_to_json(events)::text AS events, description, created_at,
         CASE WHEN previous_until > $2::timestamptz THEN previous_until END AS previous_until
  FROM webhook_subscriptions WHERE property_id = $1 AND deleted_at IS NULL
  ORDER BY created_at, id)sql",
                              2};
constexpr db::Statement kFind{"webhooks_find", R"sql(
  SELECT id, property_id, url, array_to_json(events)::text AS events, description, created_at,
         CASE WHEN previous_until > $2::timestamptz THEN previous_until END AS previous_until
  FROM webhook_subscriptions WHERE property_id = $1 AND id = $3 AND deleted_at IS NULL)sql",
                              3};
// Deleting ends what was still to be delivered, in the same statement.
constexpr db::Statement kDelete{"webhooks_delete", R"sql(
  WITH gone AS (UPDATE webhook_subscriptions SET deleted_at = now()
                WHERE property_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id),
  ended AS (UPDATE webhook_deliveries SET status = 'failed', finished_at = now(),
              last_error = 'subscription deleted', next_attempt_at = NULL
            WHERE subscription_id IN (SELECT id FROM gone) AND status = 'pending')
  SELECT id FROM gone)sql",
                                2};
constexpr db::Statement kRotate{"webhooks_rotate", R"sql(
  UPDATE webhook_subscriptions SET previous_key_id = secret_key_id,
    previous_sealed = secret_sealed, previous_until = $5::timestamptz, secret_key_id = $3,
    secret_sealed = $4
  WHERE property_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id)sql",
                                5};
// Newest first, keyset on (created_at, id); the first page has its own statement.
constexpr db::Statement kDeliveriesFirst{"webhooks_deliveries_first", R"sql(
  SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error,
         d.next_attempt_at, d.created_at
  FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
  WHERE d.subscription_id = $1
  ORDER BY d.created_at DESC, d.id DESC LIMIT $2)sql",
                                         2};
constexpr db::Statement kDeliveriesAfter{"webhooks_deliveries_after", R"sql(
  SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error,
         d.next_attempt_at, d.created_at
  FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
  WHERE d.subscription_id = $1 AND (d.created_at, d.id) < ($2::timestamptz, $3::uuid)
  ORDER BY d.created_at DESC, d.id DESC LIMIT $4)sql",
                                         4};
// The new delivery and its outbox message in one statement (outbox_enqueue: notify's).
constexpr db::Statement kRedeliver{"webhooks_redeliver", R"sql(
  WITH d AS (INSERT INTO webhook_deliveries (subscription_id, event_id)
             SELECT subscription_id, event_id FROM webhook_deliveries
             WHERE id = $2 AND subscription_id = $1 RETURNING *),
  queued AS (SELECT outbox_enqueue('webhook', 'webhook:' || d.id,
                                   jsonb_build_object('kind', 'delivery', 'delivery_id', d.id,
                                                      'property_id', $3::text), false)
             FROM d)
  SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error,
         d.next_attempt_at, d.created_at, (SELECT count(*) FROM queued) AS queued
  FROM d JOIN webhook_events e ON e.id = d.event_id)sql",
                                   3};
constexpr db::Statement kPending{"webhooks_pending", R"sql(
  SELECT d.status, d.attempts, d.first_attempt_at, d.next_attempt_at,
         s.deleted_at IS NOT NULL AS subscription_deleted, s.id AS subscription_id, s.url,
         s.secret_key_id, s.secret_sealed, s.previous_key_id, s.previous_sealed, s.previous_until,
         e.id AS event_id, e.type, e.property_id, e.created_at, e.data::text AS data
  FROM webhook_deliveries d
  JOIN webhook_subscriptions s ON s.id = d.subscription_id
  JOIN webhook_events e ON e.id = d.event_id
  WHERE d.id = $1)sql",
                                 1};
constexpr db::Statement kAttempted{"webhooks_attempted", R"sql(
  UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_status_code = $3,
    last_error = $4, first_attempt_at = coalesce(first_attempt_at, $5::timestamptz),
    next_attempt_at = $6::timestamptz, finished_at = CASE WHEN $2 <> 'pending' THEN now() END
  WHERE id = $1 AND status = 'pending')sql",
                                   6};
constexpr db::Statement kAbandon{"webhooks_abandon", R"sql(
  UPDATE webhook_deliveries SET status = 'failed', last_error = $2, next_attempt_at = NULL,
    finished_at = now()
  WHERE id = $1 AND status = 'pending')sql",
                                 2};

struct IdRow {
  std::string id;
};
struct CountRow {
  int live = 0;
};
struct CreatedRow {
  common::TimePoint created_at;
};
struct SubscriptionRow {
  std::string id;
  std::string property_id;
  std::string url;
  std::string events;  // a JSON array
  std::optional<std::string> description;
  common::TimePoint created_at;
  std::optional<common::TimePoint> previous_until;
};
struct PendingRow {
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;
  std::optional<common::TimePoint> first_attempt_at;
  std::optional<common::TimePoint> next_attempt_at;
  bool subscription_deleted = false;
  std::string subscription_id;
  std::string url;
  std::string secret_key_id;
  db::Bytes secret_sealed;
  std::optional<std::string> previous_key_id;
  std::optional<db::Bytes> previous_sealed;
  std::optional<common::TimePoint> previous_until;
  std::string event_id;
  std::string type;
  std::string property_id;
  common::TimePoint created_at;
  std::string data;
};

pqxx::binarystring bytes_of(const bmx::Sealed& sealed) {
  return pqxx::binarystring(sealed.bytes.data(), sealed.bytes.size());
}

std::string at(common::TimePoint time) { return common::to_sql_timestamp(time); }

}  // namespace
}  // namespace frontdoor::webhooks::store

namespace frontdoor::db {

using webhooks::DeliveryRecord;
using webhooks::store::CountRow;
using webhooks::store::CreatedRow;
using webhooks::store::IdRow;
using webhooks::store::PendingRow;
using webhooks::store::SubscriptionRow;

template <>
struct Shape<IdRow> {
  static constexpr auto columns = std::make_tuple(column("id", &IdRow::id));
};
template <>
struct Shape<CountRow> {
  static constexpr auto columns = std::make_tuple(column("live", &CountRow::live));
};
template <>
struct Shape<CreatedRow> {
  static constexpr auto columns = std::make_tuple(column("created_at", &CreatedRow::created_at));
};
template <>
struct Shape<SubscriptionRow> {
  using Row = SubscriptionRow;
  static constexpr auto columns = std::make_tuple(
      column("id", &Row::id), column("property_id", &Row::property_id), column("url", &Row::url),
      column("events", &Row::events), column("description", &Row::description),
      column("created_at", &Row::created_at), column("previous_until", &Row::previous_until));
};
template <>
struct Shape<DeliveryRecord> {
  using Row = DeliveryRecord;
  static constexpr auto columns = std::make_tuple(
      column("id", &Row::id), column("event_id", &Row::event_id), column("type", &Row::type),
      column("status", &Row::status), column("attempts", &Row::attempts),
      column("last_status_code", &Row::last_status_code), column("last_error", &Row::last_error),
      column("next_attempt_at", &Row::next_attempt_at), column("created_at", &Row::created_at));
};
template <>
struct Shape<PendingRow> {
  using Row = PendingRow;
  static constexpr auto columns = std::make_tuple(
      column("status", &Row::status), column("attempts", &Row::attempts),
      column("first_attempt_at", &Row::first_attempt_at),
      column("next_attempt_at", &Row::next_attempt_at),
      column("subscription_deleted", &Row::subscription_deleted),
      column("subscription_id", &Row::subscription_id), column("url", &Row::url),
      column("secret_key_id", &Row::secret_key_id), column("secret_sealed", &Row::secret_sealed),
      column("previous_key_id", &Row::previous_key_id),
      column("previous_sealed", &Row::previous_sealed),
      column("previous_until", &Row::previous_until), column("event_id", &Row::event_id),
      column("type", &Row::type), column("property_id", &Row::property_id),
      column("created_at", &Row::created_at), column("data", &Row::data));
};

}  // namespace frontdoor::db

namespace frontdoor::webhooks::store {
namespace {

Subscription subscription_from(SubscriptionRow row) {
  Subscription subscription;
  subscription.id = std::move(row.id);
  subscription.property_id = std::move(row.property_id);
  subscription.url = std::move(row.url);
  subscription.events = nlohmann::json::parse(row.events).get<std::vector<std::string>>();
  subscription.description = std::move(row.description);
  subscription.created_at = row.created_at;
  subscription.previous_secret_until = row.previous_until;
  return subscription;
}

// Only a pending delivery has a next attempt.
std::vector<DeliveryRecord> deliveries_from(const pqxx::result& result) {
  auto records = db::read_all<DeliveryRecord>(result);
  for (auto& record : records) {
    if (record.status != DeliveryStatus::pending) record.next_attempt_at.reset();
  }
  return records;
}

}  // namespace

void prepare(db::Pool& pool) {
  for (const auto* statement :
       {&kNewId, &kLockProperty, &kLiveCount, &kInsert, &kLive, &kFind, &kDelete, &kRotate,
        &kDeliveriesFirst, &kDeliveriesAfter, &kRedeliver, &kPending, &kAttempted, &kAbandon}) {
    pool.prepare(*statement);
  }
}

std::string new_id(pqxx::transaction_base& tx) {
  return db::read_one<IdRow>(db::exec(tx, kNewId)).id;
}

int live_count_locked(pqxx::transaction_base& tx, const std::string& property_id) {
  db::exec(tx, kLockProperty, property_id);
  return db::read_one<CountRow>(db::exec(tx, kLiveCount, property_id)).live;
}

common::TimePoint insert(pqxx::transaction_base& tx, const std::string& id,
                         const std::string& property_id, const NewSubscription& subscription,
                         const bmx::Sealed& secret, const std::string& created_by) {
  return db::read_one<CreatedRow>(db::exec(tx, kInsert, id, property_id, subscription.url,
                                           nlohmann::json(subscription.events).dump(),
                                           subscription.description, secret.key_id,
                                           bytes_of(secret), created_by))
      .created_at;
}

std::vector<Subscription> live(pqxx::transaction_base& tx, const std::string& property_id,
                               common::TimePoint now) {
  std::vector<Subscription> subscriptions;
  for (auto& row : db::read_all<SubscriptionRow>(db::exec(tx, kLive, property_id, at(now)))) {
    subscriptions.push_back(subscription_from(std::move(row)));
  }
  return subscriptions;
}

std::optional<Subscription> find(pqxx::transaction_base& tx, const std::string& property_id,
                                 const std::string& id, common::TimePoint now) {
  auto row = db::read_first<SubscriptionRow>(db::exec(tx, kFind, property_id, at(now), id));
  if (!row) return std::nullopt;
  return subscription_from(std::move(*row));
}

bool remove(pqxx::transaction_base& tx, const std::string& property_id, const std::string& id) {
  return db::read_first<IdRow>(db::exec(tx, kDelete, property_id, id)).has_value();
}

bool rotate(pqxx::transaction_base& tx, const std::string& property_id, const std::string& id,
            const bmx::Sealed& secret, common::TimePoint previous_until) {
  return db::read_first<IdRow>(db::exec(tx, kRotate, property_id, id, secret.key_id,
                                        bytes_of(secret), at(previous_until)))
      .has_value();
}

std::vector<DeliveryRecord> deliveries(pqxx::transaction_base& tx,
                                       const std::string& subscription_id,
                                       const DeliveryQuery& query) {
  if (!query.after) {
    return deliveries_from(db::exec(tx, kDeliveriesFirst, subscription_id, query.limit + 1));
  }
  return deliveries_from(db::exec(tx, kDeliveriesAfter, subscription_id, query.after->time,
                                  query.after->id, query.limit + 1));
}

std::optional<DeliveryRecord> redeliver(pqxx::transaction_base& tx,
                                        const std::string& subscription_id,
                                        const std::string& delivery_id,
                                        const std::string& property_id) {
  auto records =
      deliveries_from(db::exec(tx, kRedeliver, subscription_id, delivery_id, property_id));
  if (records.empty()) return std::nullopt;
  return std::move(records.front());
}

std::optional<PendingDelivery> pending(pqxx::transaction_base& tx, const std::string& delivery_id) {
  auto row = db::read_first<PendingRow>(db::exec(tx, kPending, delivery_id));
  if (!row) return std::nullopt;
  PendingDelivery delivery;
  delivery.status = row->status;
  delivery.attempts = row->attempts;
  delivery.first_attempt_at = row->first_attempt_at;
  delivery.next_attempt_at = row->next_attempt_at;
  delivery.subscription_deleted = row->subscription_deleted;
  delivery.subscription_id = std::move(row->subscription_id);
  delivery.url = std::move(row->url);
  delivery.secret = {std::move(row->secret_key_id), std::move(row->secret_sealed.bytes)};
  if (row->previous_key_id && row->previous_sealed) {
    delivery.previous_secret =
        bmx::Sealed{std::move(*row->previous_key_id), std::move(row->previous_sealed->bytes)};
  }
  delivery.previous_until = row->previous_until;
  delivery.event_id = std::move(row->event_id);
  delivery.type = std::move(row->type);
  delivery.property_id = std::move(row->property_id);
  delivery.created_at = row->created_at;
  delivery.data = std::move(row->data);
  return delivery;
}

void record_attempt(pqxx::transaction_base& tx, const std::string& delivery_id,
                    const Attempt& attempt) {
  db::exec(tx, kAttempted, delivery_id, std::string(common::name_of(attempt.status)),
           attempt.status_code, attempt.error, at(attempt.at),
           attempt.next_attempt_at ? std::optional(at(*attempt.next_attempt_at)) : std::nullopt);
}

void abandon(pqxx::transaction_base& tx, const std::string& delivery_id, const std::string& why) {
  db::exec(tx, kAbandon, delivery_id, why);
}

}  // namespace frontdoor::webhooks::store
