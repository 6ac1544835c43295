#pragma once

// The notify module's SQL (store.cpp) behind typed functions: the outbox table
// (queueing, claiming, recording outcomes, sweeping, backlogs) and the phones a
// push goes to (device_tokens, published by people).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/notify/channel.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::notify::store {

// Each part registers its own statements, as it is made: the Outbox, the
// Dispatcher's lanes and the push Deliveries.
void prepare_queueing(db::Pool& pool);
void prepare_lanes(db::Pool& pool);
void prepare_devices(db::Pool& pool);

// --- Queueing (Outbox) -------------------------------------------------------

// False when a message with this dedupe key was queued before.
bool enqueue(pqxx::transaction_base& tx, Channel channel, const std::string& dedupe_key,
             const nlohmann::json& payload, bool urgent);

struct Backlog {
  long long pending = 0;
  double oldest_pending_seconds = 0;
};
// What waits on a channel (not urgent) for one property.
Backlog pending_for(pqxx::transaction_base& tx, Channel channel, const std::string& property_id);
// Delivered and expired messages finished before `delivered`, dead letters
// before `dead`; returns how many were deleted.
long long sweep(db::Pool& pool, std::chrono::seconds delivered, std::chrono::seconds dead);

// --- Claiming (the lanes) ------------------------------------------------------

// A message claimed for delivery, with its lease.
struct Claimed {
  std::string id;
  Channel channel = Channel::email;
  std::string kind;
  nlohmann::json payload;
  int attempts = 0;
  double queued_seconds = 0;  // since the message was queued
};
// `keys` is a Postgres text[] of the "channel:kind"s the lane handles. A claim
// takes the lease; the retry time stays what it was, so that a lane recovering
// from an outage can pull due work forward without touching rows another
// worker holds.
std::vector<Claimed> claim_lane(pqxx::transaction_base& tx, const std::string& lane,
                                const std::string& keys, std::chrono::milliseconds lease, int most);
std::vector<Claimed> claim_urgent(pqxx::transaction_base& tx, const std::string& keys,
                                  std::chrono::milliseconds lease, int most);
// The message a commit just announced: every instance hears of it, one claims it.
std::vector<Claimed> claim_announced(pqxx::transaction_base& tx, const std::string& id,
                                     const std::string& keys, std::chrono::milliseconds lease);
// Claims still being worked on live on (`ids`: a Postgres uuid[]).
void renew(pqxx::transaction_base& tx, const std::string& ids, std::chrono::milliseconds lease);

// --- Outcomes -----------------------------------------------------------------

void done(pqxx::transaction_base& tx, const std::string& id);
void retry(pqxx::transaction_base& tx, const std::string& id, std::chrono::milliseconds delay,
           const std::string& error);
// Not yet: the attempt does not count.
void wait(pqxx::transaction_base& tx, const std::string& id, std::chrono::milliseconds delay,
          const std::string& error);
void expired(pqxx::transaction_base& tx, const std::string& id, const std::string& error);
// Dead-lettered, and in its property's audit trail (when it names one).
void dead(pqxx::transaction_base& tx, const std::string& id, const std::string& error);
// A lane's channel recovered: the retries it pushed back are due now.
long long pull_forward(pqxx::transaction_base& tx, const std::string& lane);

struct LaneBacklog {
  std::string lane;  // a channel, or "urgent"
  long long pending = 0;
  double oldest_due_seconds = 0;
};
// Waiting messages per lane, and how long the oldest that is due has waited
// since it became due (a retry scheduled for later is not late).
std::vector<LaneBacklog> backlog(pqxx::transaction_base& tx);

// --- The phones a push goes to --------------------------------------------------

struct Device {
  std::string id;
  std::string platform;
  std::string push_token;
  std::optional<std::string> voip_token;
};
std::vector<Device> devices_of(pqxx::transaction_base& tx, const std::string& user_id);
// Keeps the outcome of a device's last push for support ("sent", "rejected", ...).
void device_pushed(pqxx::transaction_base& tx, const std::string& device_id,
                   const std::string& outcome);
// The provider no longer knows the device's token.
void forget_device(pqxx::transaction_base& tx, const std::string& device_id);

}  // namespace frontdoor::notify::store
