#include "store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::webhooks::store {
namespace {

// The API's form of a column (db's rfc3339), and a time from the injected clock.
std::string utc(const std::string& column) { return "rfc3339(" + column + ")"; }
std::string at(common::TimePoint time) { return common::to_sql_timestamp(time); }

// Times the retry schedule judges, read as Unix seconds.
std::optional<common::TimePoint> time_of(const pqxx::field& field) {
  const auto seconds = db::optional_of<double>(field);
  if (!seconds) return std::nullopt;
  return common::TimePoint(std::chrono::duration_cast<common::TimePoint::duration>(
      std::chrono::duration<double>(*seconds)));
}

const std::string kSubscriptionColumns =
    "id, property_id, url, array_to_json(events)::text, description, " + utc("created_at") +
    ", CASE WHEN previous_until > $2::timestamptz THEN " + utc("previous_until") + " END";

const std::string kDeliveryColumns =
    "d.id, d.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error, " +
    utc("d.next_attempt_at") + ", " + utc("d.created_at") + ", d.created_at::text";

Subscription subscription_from(const pqxx::row& row) {
  Subscription subscription;
  subscription.id = row[0].as<std::string>();
  subscription.property_id = row[1].as<std::string>();
  subscription.url = row[2].as<std::string>();
  subscription.events = nlohmann::json::parse(row[3].as<std::string>());
  subscription.description = db::optional_of<std::string>(row[4]);
  subscription.created_at = row[5].as<std::string>();
  subscription.previous_secret_until = db::optional_of<std::string>(row[6]);
  return subscription;
}

DeliveryRecord delivery_from(const pqxx::row& row) {
  DeliveryRecord delivery;
  delivery.id = row[0].as<std::string>();
  delivery.event_id = row[1].as<std::string>();
  delivery.type = row[2].as<std::string>();
  delivery.status = row[3].as<std::string>();
  delivery.attempts = row[4].as<int>();
  delivery.last_status_code = db::optional_of<int>(row[5]);
  delivery.last_error = db::optional_of<std::string>(row[6]);
  // Only a pending delivery has a next attempt.
  if (delivery.status == "pending") delivery.next_attempt_at = db::optional_of<std::string>(row[7]);
  delivery.created_at = row[8].as<std::string>();
  delivery.cursor = row[9].as<std::string>();
  return delivery;
}

pqxx::binarystring bytes_of(const bmx::Sealed& sealed) {
  return pqxx::binarystring(sealed.bytes.data(), sealed.bytes.size());
}

}  // namespace

void prepare(db::Pool& pool) {
  pool.prepare("webhooks_new_id", "SELECT gen_random_uuid()");
  // Creates at one property take turns until their transaction ends, so that a
  // burst cannot all count the same number and all pass the limit.
  pool.prepare("webhooks_lock_property",
               "SELECT pg_advisory_xact_lock(hashtextextended('webhook-subscriptions:' || $1, 0))");
  pool.prepare("webhooks_live_count",
               "SELECT count(*) FROM webhook_subscriptions WHERE property_id = $1 "
               "AND deleted_at IS NULL");
  pool.prepare(
      "webhooks_insert",
      "INSERT INTO webhook_subscriptions (id, property_id, url, events, description, "
      "secret_key_id, secret_sealed, created_by) "
      "VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, $6, $7, "
      "NULLIF($8, '')::uuid) RETURNING " +
          utc("created_at"));
  pool.prepare("webhooks_live", "SELECT " + kSubscriptionColumns +
                                    " FROM webhook_subscriptions WHERE property_id = $1 "
                                    "AND deleted_at IS NULL ORDER BY created_at, id");
  pool.prepare("webhooks_find", "SELECT " + kSubscriptionColumns +
                                    " FROM webhook_subscriptions WHERE property_id = $1 "
                                    "AND id = $3 AND deleted_at IS NULL");
  // Deleting ends what was still to be delivered, in the same statement.
  pool.prepare("webhooks_delete",
               "WITH gone AS (UPDATE webhook_subscriptions SET deleted_at = now() "
               "WHERE property_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id), "
               "ended AS (UPDATE webhook_deliveries SET status = 'failed', finished_at = now(), "
               "last_error = 'subscription deleted', next_attempt_at = NULL "
               "WHERE subscription_id IN (SELECT id FROM gone) AND status = 'pending') "
               "SELECT id FROM gone");
  pool.prepare("webhooks_rotate",
               "UPDATE webhook_subscriptions SET previous_key_id = secret_key_id, "
               "previous_sealed = secret_sealed, previous_until = $5::timestamptz, "
               "secret_key_id = $3, secret_sealed = $4 "
               "WHERE property_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id");
  const std::string from_deliveries =
      " FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id "
      "WHERE d.subscription_id = $1 ";
  pool.prepare("webhooks_deliveries_first", "SELECT " + kDeliveryColumns + from_deliveries +
                                                "ORDER BY d.created_at DESC, d.id DESC LIMIT $2");
  pool.prepare("webhooks_deliveries_after",
               "SELECT " + kDeliveryColumns + from_deliveries +
                   "AND (d.created_at, d.id) < ($2::timestamptz, $3::uuid) "
                   "ORDER BY d.created_at DESC, d.id DESC LIMIT $4");
  // The new delivery and its outbox message in one statement (outbox_enqueue: notify's).
  pool.prepare("webhooks_redeliver",
               "WITH d AS (INSERT INTO webhook_deliveries (subscription_id, event_id) "
               "SELECT subscription_id, event_id FROM webhook_deliveries "
               "WHERE id = $2 AND subscription_id = $1 RETURNING *), "
               "queued AS (SELECT outbox_enqueue('webhook', 'webhook:' || d.id, "
               "jsonb_build_object('kind', 'delivery', 'delivery_id', d.id, 'property_id', "
               "$3::text), false) FROM d) "
               "SELECT " +
                   kDeliveryColumns +
                   ", (SELECT count(*) FROM queued) FROM d JOIN webhook_events e "
                   "ON e.id = d.event_id");
  pool.prepare("webhooks_pending",
               "SELECT d.status, d.attempts, extract(epoch FROM d.first_attempt_at)::float8, "
               "extract(epoch FROM d.next_attempt_at)::float8, s.deleted_at IS NOT NULL, s.id, "
               "s.url, s.secret_key_id, s.secret_sealed, s.previous_key_id, s.previous_sealed, "
               "extract(epoch FROM s.previous_until)::float8, e.id, e.type, e.property_id, " +
                   utc("e.created_at") +
                   ", e.data::text FROM webhook_deliveries d "
                   "JOIN webhook_subscriptions s ON s.id = d.subscription_id "
                   "JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1");
  pool.prepare("webhooks_attempted",
               "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, "
               "last_status_code = $3, last_error = $4, "
               "first_attempt_at = coalesce(first_attempt_at, $5::timestamptz), "
               "next_attempt_at = $6::timestamptz, "
               "finished_at = CASE WHEN $2 <> 'pending' THEN now() END "
               "WHERE id = $1 AND status = 'pending'");
  pool.prepare("webhooks_abandon",
               "UPDATE webhook_deliveries SET status = 'failed', last_error = $2, "
               "next_attempt_at = NULL, finished_at = now() WHERE id = $1 AND status = 'pending'");
}

std::string new_id(pqxx::transaction_base& tx) {
  return tx.exec_prepared1("webhooks_new_id")[0].as<std::string>();
}

int live_count_locked(pqxx::transaction_base& tx, const std::string& property_id) {
  tx.exec_prepared("webhooks_lock_property", property_id);
  return tx.exec_prepared1("webhooks_live_count", property_id)[0].as<int>();
}

std::string insert(pqxx::transaction_base& tx, const std::string& id,
                   const std::string& property_id, const NewSubscription& subscription,
                   const bmx::Sealed& secret, const std::string& created_by) {
  return tx
      .exec_prepared1("webhooks_insert", id, property_id, subscription.url,
                      nlohmann::json(subscription.events).dump(), subscription.description,
                      secret.key_id, bytes_of(secret), created_by)[0]
      .as<std::string>();
}

std::vector<Subscription> live(pqxx::transaction_base& tx, const std::string& property_id,
                               common::TimePoint now) {
  std::vector<Subscription> subscriptions;
  for (const auto& row : tx.exec_prepared("webhooks_live", property_id, at(now))) {
    subscriptions.push_back(subscription_from(row));
  }
  return subscriptions;
}

std::optional<Subscription> find(pqxx::transaction_base& tx, const std::string& property_id,
                                 const std::string& id, common::TimePoint now) {
  const auto rows = tx.exec_prepared("webhooks_find", property_id, at(now), id);
  if (rows.empty()) return std::nullopt;
  return subscription_from(rows[0]);
}

bool remove(pqxx::transaction_base& tx, const std::string& property_id, const std::string& id) {
  return !tx.exec_prepared("webhooks_delete", property_id, id).empty();
}

bool rotate(pqxx::transaction_base& tx, const std::string& property_id, const std::string& id,
            const bmx::Sealed& secret, common::TimePoint previous_until) {
  return !tx.exec_prepared("webhooks_rotate", property_id, id, secret.key_id, bytes_of(secret),
                           at(previous_until))
              .empty();
}

std::vector<DeliveryRecord> deliveries(pqxx::transaction_base& tx,
                                       const std::string& subscription_id,
                                       const DeliveryQuery& query) {
  const auto rows =
      query.after ? tx.exec_prepared("webhooks_deliveries_after", subscription_id,
                                     query.after->time, query.after->id, query.limit + 1)
                  : tx.exec_prepared("webhooks_deliveries_first", subscription_id, query.limit + 1);
  std::vector<DeliveryRecord> records;
  for (const auto& row : rows) records.push_back(delivery_from(row));
  return records;
}

std::optional<DeliveryRecord> redeliver(pqxx::transaction_base& tx,
                                        const std::string& subscription_id,
                                        const std::string& delivery_id,
                                        const std::string& property_id) {
  const auto rows =
      tx.exec_prepared("webhooks_redeliver", subscription_id, delivery_id, property_id);
  if (rows.empty()) return std::nullopt;
  return delivery_from(rows[0]);
}

std::optional<PendingDelivery> pending(pqxx::transaction_base& tx, const std::string& delivery_id) {
  const auto rows = tx.exec_prepared("webhooks_pending", delivery_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  PendingDelivery delivery;
  delivery.status = row[0].as<std::string>();
  delivery.attempts = row[1].as<int>();
  delivery.first_attempt_at = time_of(row[2]);
  delivery.next_attempt_at = time_of(row[3]);
  delivery.subscription_deleted = row[4].as<bool>();
  delivery.subscription_id = row[5].as<std::string>();
  delivery.url = row[6].as<std::string>();
  delivery.secret = {row[7].as<std::string>(), pqxx::binarystring(row[8]).str()};
  if (!row[9].is_null()) {
    delivery.previous_secret =
        bmx::Sealed{row[9].as<std::string>(), pqxx::binarystring(row[10]).str()};
  }
  delivery.previous_until = time_of(row[11]);
  delivery.event_id = row[12].as<std::string>();
  delivery.type = row[13].as<std::string>();
  delivery.property_id = row[14].as<std::string>();
  delivery.created_at = row[15].as<std::string>();
  delivery.data = row[16].as<std::string>();
  return delivery;
}

void record_attempt(pqxx::transaction_base& tx, const std::string& delivery_id,
                    const Attempt& attempt) {
  tx.exec_prepared(
      "webhooks_attempted", delivery_id, attempt.status, attempt.status_code, attempt.error,
      at(attempt.at),
      attempt.next_attempt_at ? std::optional(at(*attempt.next_attempt_at)) : std::nullopt);
}

void abandon(pqxx::transaction_base& tx, const std::string& delivery_id, const std::string& why) {
  tx.exec_prepared("webhooks_abandon", delivery_id, why);
}

}  // namespace frontdoor::webhooks::store
