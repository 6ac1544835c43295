// SQL of the notify module: the outbox table, and the phones a push goes to
// through the views people publishes (device_tokens, device_pushed,
// device_forget). Other modules queue messages in their own statements with the
// outbox_enqueue function (migration 0009).
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::notify::store {
namespace {

// --- Queueing ----------------------------------------------------------------

// No row when a message with this dedupe key was queued before.
constexpr db::Statement kEnqueue{"outbox_enqueue", R"sql(
  SELECT id FROM outbox_enqueue($1, $2, $3::jsonb, $4) AS id WHERE id IS NOT NULL)sql",
                                 4};
constexpr db::Statement kPendingFor{"outbox_pending_for", R"sql(
  SELECT count(*) AS pending,
         coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
           AS oldest_pending_seconds
  FROM outbox WHERE status = 'pending' AND NOT urgent AND channel = $1
    AND payload->>'property_id' = $2)sql",
                                    2};
constexpr db::Statement kSweepDelivered{"outbox_sweep_delivered", R"sql(
  DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE status IN ('sent', 'expired')
      AND finished_at < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                        2};
constexpr db::Statement kSweepDead{"outbox_sweep_dead", R"sql(
  DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE status = 'dead' AND finished_at < now() - $1 * interval '1 second'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                   2};

// --- Claiming ----------------------------------------------------------------
// Three statements, each written out in full so that each has its own plan: a
// lane's due rows, the urgent rows of every channel, and one announced row.

// $1 lane, $2 handled "channel:kind"s, $3 lease (ms), $4 most.
constexpr db::Statement kClaimLane{"outbox_claim_lane", R"sql(
  UPDATE outbox SET attempts = attempts + 1, lease_until = now() + $3 * interval '1 millisecond'
  WHERE id IN (
    SELECT id FROM outbox
    WHERE channel = $1 AND NOT urgent AND status = 'pending' AND next_attempt_at <= now()
      AND (lease_until IS NULL OR lease_until <= now())
      AND channel || ':' || coalesce(payload->>'kind', '') = ANY($2::text[])
    ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
  RETURNING id, channel, coalesce(payload->>'kind', '') AS kind, payload::text AS payload,
            attempts, extract(epoch FROM now() - created_at)::float8 AS queued_seconds)sql",
                                   4};
// $1 handled "channel:kind"s, $2 lease (ms), $3 most.
constexpr db::Statement kClaimUrgent{"outbox_claim_urgent", R"sql(
  UPDATE outbox SET attempts = attempts + 1, lease_until = now() + $2 * interval '1 millisecond'
  WHERE id IN (
    SELECT id FROM outbox
    WHERE urgent AND status = 'pending' AND next_attempt_at <= now()
      AND (lease_until IS NULL OR lease_until <= now())
      AND channel || ':' || coalesce(payload->>'kind', '') = ANY($1::text[])
    ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
  RETURNING id, channel, coalesce(payload->>'kind', '') AS kind, payload::text AS payload,
            attempts, extract(epoch FROM now() - created_at)::float8 AS queued_seconds)sql",
                                     3};
// $1 the id, $2 handled "channel:kind"s, $3 lease (ms).
constexpr db::Statement kClaimId{"outbox_claim_id", R"sql(
  UPDATE outbox SET attempts = attempts + 1, lease_until = now() + $3 * interval '1 millisecond'
  WHERE id IN (
    SELECT id FROM outbox
    WHERE id = $1::uuid AND status = 'pending' AND next_attempt_at <= now()
      AND (lease_until IS NULL OR lease_until <= now())
      AND channel || ':' || coalesce(payload->>'kind', '') = ANY($2::text[])
    FOR UPDATE SKIP LOCKED)
  RETURNING id, channel, coalesce(payload->>'kind', '') AS kind, payload::text AS payload,
            attempts, extract(epoch FROM now() - created_at)::float8 AS queued_seconds)sql",
                                 3};
// $1 ids, $2 lease (ms).
constexpr db::Statement kRenew{"outbox_renew", R"sql(
  UPDATE outbox SET lease_until = now() + $2 * interval '1 millisecond'
  WHERE id = ANY($1::uuid[]) AND status = 'pending')sql",
                               2};

// --- Outcomes ------------------------------------------------------------------

constexpr db::Statement kDone{"outbox_done", R"sql(
  UPDATE outbox SET status = 'sent', sent_at = now(), finished_at = now(), lease_until = NULL,
    last_error = NULL
  WHERE id = $1)sql",
                              1};
constexpr db::Statement kRetry{"outbox_retry", R"sql(
  UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', lease_until = NULL,
    last_error = $3
  WHERE id = $1)sql",
                               3};
constexpr db::Statement kWait{"outbox_wait", R"sql(
  UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', lease_until = NULL,
    last_error = $3, attempts = greatest(attempts - 1, 0)
  WHERE id = $1)sql",
                              3};
constexpr db::Statement kExpired{"outbox_expired", R"sql(
  UPDATE outbox SET status = 'expired', finished_at = now(), lease_until = NULL, last_error = $2
  WHERE id = $1)sql",
                                 2};
// A dead letter is an event someone must look at: it goes to the audit trail of
// its property (when the message names one) in the same statement.
constexpr db::Statement kDead{"outbox_dead", R"sql(
  WITH dead AS (
    UPDATE outbox SET status = 'dead', finished_at = now(), lease_until = NULL, last_error = $2
    WHERE id = $1 RETURNING id, channel, payload)
  SELECT audit_record(
    (SELECT id FROM property_rules WHERE id::text = dead.payload->>'property_id'), NULL,
    'system:outbox', 'outbox.dead_lettered', 'outbox', dead.id::text,
    jsonb_build_object('channel', dead.channel, 'kind', dead.payload->>'kind',
                       'error', $2::text))
  FROM dead)sql",
                              2};
constexpr db::Statement kPullForward{"outbox_pull_forward", R"sql(
  UPDATE outbox SET next_attempt_at = now()
  WHERE status = 'pending' AND channel = $1 AND NOT urgent AND attempts > 0
    AND next_attempt_at > now() AND (lease_until IS NULL OR lease_until <= now()))sql",
                                     1};
constexpr db::Statement kBacklog{"outbox_backlog", R"sql(
  SELECT CASE WHEN urgent THEN 'urgent' ELSE channel END AS lane, count(*) AS pending,
         coalesce(extract(epoch FROM now() - min(next_attempt_at)
                  FILTER (WHERE next_attempt_at <= now())), 0)::float8 AS oldest_due_seconds
  FROM outbox WHERE status = 'pending' GROUP BY 1)sql",
                                 0};

// --- Devices -------------------------------------------------------------------

constexpr db::Statement kDevicesOf{"notify_devices_of", R"sql(
  SELECT id, platform, push_token, voip_token FROM device_tokens WHERE user_id = $1)sql",
                                   1};
constexpr db::Statement kDevicePushed{"notify_device_pushed", "SELECT device_pushed($1, $2)", 2};
constexpr db::Statement kDeviceForget{"notify_device_forget", "SELECT device_forget($1)", 1};

struct EnqueuedRow {
  std::string id;
};

struct ClaimedRow {
  std::string id;
  Channel channel = Channel::email;
  std::string kind;
  std::string payload;
  int attempts = 0;
  double queued_seconds = 0;
};

long long milliseconds(std::chrono::milliseconds duration) {
  return static_cast<long long>(duration.count());
}

}  // namespace
}  // namespace frontdoor::notify::store

namespace frontdoor::db {

using notify::store::Backlog;
using notify::store::ClaimedRow;
using notify::store::Device;
using notify::store::EnqueuedRow;
using notify::store::LaneBacklog;

template <>
struct Shape<EnqueuedRow> {
  static constexpr auto columns = std::make_tuple(column("id", &EnqueuedRow::id));
};
template <>
struct Shape<Backlog> {
  static constexpr auto columns =
      std::make_tuple(column("pending", &Backlog::pending),
                      column("oldest_pending_seconds", &Backlog::oldest_pending_seconds));
};
template <>
struct Shape<ClaimedRow> {
  static constexpr auto columns =
      std::make_tuple(column("id", &ClaimedRow::id), column("channel", &ClaimedRow::channel),
                      column("kind", &ClaimedRow::kind), column("payload", &ClaimedRow::payload),
                      column("attempts", &ClaimedRow::attempts),
                      column("queued_seconds", &ClaimedRow::queued_seconds));
};
template <>
struct Shape<LaneBacklog> {
  static constexpr auto columns =
      std::make_tuple(column("lane", &LaneBacklog::lane), column("pending", &LaneBacklog::pending),
                      column("oldest_due_seconds", &LaneBacklog::oldest_due_seconds));
};
template <>
struct Shape<Device> {
  static constexpr auto columns = std::make_tuple(
      column("id", &Device::id), column("platform", &Device::platform),
      column("push_token", &Device::push_token), column("voip_token", &Device::voip_token));
};

}  // namespace frontdoor::db

namespace frontdoor::notify::store {
namespace {

std::vector<Claimed> claimed_from(const pqxx::result& result) {
  std::vector<Claimed> claimed;
  for (auto& row : db::read_all<ClaimedRow>(result)) {
    claimed.push_back({std::move(row.id), row.channel, std::move(row.kind),
                       nlohmann::json::parse(row.payload), row.attempts, row.queued_seconds});
  }
  return claimed;
}

}  // namespace

void prepare_queueing(db::Pool& pool) {
  for (const auto* statement : {&kEnqueue, &kPendingFor, &kSweepDelivered, &kSweepDead}) {
    pool.prepare(*statement);
  }
}

void prepare_lanes(db::Pool& pool) {
  for (const auto* statement : {&kClaimLane, &kClaimUrgent, &kClaimId, &kRenew, &kDone, &kRetry,
                                &kWait, &kExpired, &kDead, &kPullForward, &kBacklog}) {
    pool.prepare(*statement);
  }
}

void prepare_devices(db::Pool& pool) {
  for (const auto* statement : {&kDevicesOf, &kDevicePushed, &kDeviceForget}) {
    pool.prepare(*statement);
  }
}

bool enqueue(pqxx::transaction_base& tx, Channel channel, const std::string& dedupe_key,
             const nlohmann::json& payload, bool urgent) {
  return db::read_first<EnqueuedRow>(db::exec(tx, kEnqueue, std::string(common::name_of(channel)),
                                              dedupe_key, payload.dump(), urgent))
      .has_value();
}

Backlog pending_for(pqxx::transaction_base& tx, Channel channel, const std::string& property_id) {
  return db::read_one<Backlog>(
      db::exec(tx, kPendingFor, std::string(common::name_of(channel)), property_id));
}

long long sweep(db::Pool& pool, std::chrono::seconds delivered, std::chrono::seconds dead) {
  return db::sweep(pool, kSweepDelivered, delivered.count()) +
         db::sweep(pool, kSweepDead, dead.count());
}

std::vector<Claimed> claim_lane(pqxx::transaction_base& tx, const std::string& lane,
                                const std::string& keys, std::chrono::milliseconds lease,
                                int most) {
  return claimed_from(db::exec(tx, kClaimLane, lane, keys, milliseconds(lease), most));
}

std::vector<Claimed> claim_urgent(pqxx::transaction_base& tx, const std::string& keys,
                                  std::chrono::milliseconds lease, int most) {
  return claimed_from(db::exec(tx, kClaimUrgent, keys, milliseconds(lease), most));
}

std::vector<Claimed> claim_announced(pqxx::transaction_base& tx, const std::string& id,
                                     const std::string& keys, std::chrono::milliseconds lease) {
  return claimed_from(db::exec(tx, kClaimId, id, keys, milliseconds(lease)));
}

void renew(pqxx::transaction_base& tx, const std::string& ids, std::chrono::milliseconds lease) {
  db::exec(tx, kRenew, ids, milliseconds(lease));
}

void done(pqxx::transaction_base& tx, const std::string& id) { db::exec(tx, kDone, id); }

void retry(pqxx::transaction_base& tx, const std::string& id, std::chrono::milliseconds delay,
           const std::string& error) {
  db::exec(tx, kRetry, id, milliseconds(delay), error);
}

void wait(pqxx::transaction_base& tx, const std::string& id, std::chrono::milliseconds delay,
          const std::string& error) {
  db::exec(tx, kWait, id, milliseconds(delay), error);
}

void expired(pqxx::transaction_base& tx, const std::string& id, const std::string& error) {
  db::exec(tx, kExpired, id, error);
}

void dead(pqxx::transaction_base& tx, const std::string& id, const std::string& error) {
  db::exec(tx, kDead, id, error);
}

long long pull_forward(pqxx::transaction_base& tx, const std::string& lane) {
  return static_cast<long long>(db::exec(tx, kPullForward, lane).affected_rows());
}

std::vector<LaneBacklog> backlog(pqxx::transaction_base& tx) {
  return db::read_all<LaneBacklog>(db::exec(tx, kBacklog));
}

std::vector<Device> devices_of(pqxx::transaction_base& tx, const std::string& user_id) {
  return db::read_all<Device>(db::exec(tx, kDevicesOf, user_id));
}

void device_pushed(pqxx::transaction_base& tx, const std::string& device_id,
                   const std::string& outcome) {
  db::exec(tx, kDevicePushed, device_id, outcome);
}

void forget_device(pqxx::transaction_base& tx, const std::string& device_id) {
  db::exec(tx, kDeviceForget, device_id);
}

}  // namespace frontdoor::notify::store
