#pragma once

// The webhooks module's SQL (store.cpp) behind typed functions. Times come from
// the injected clock: the retry schedule and the old secret's 24 h are judged there.
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/webhooks/service.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::webhooks::store {

// Registers the module's prepared statements (names start with "webhooks_").
void prepare(db::Pool& pool);

std::string new_id(pqxx::transaction_base& tx);
// The property's live subscriptions, counted under a lock held until the
// transaction ends (the count and the insert are one step).
int live_count_locked(pqxx::transaction_base& tx, const std::string& property_id);
// Returns created_at.
common::TimePoint insert(pqxx::transaction_base& tx, const std::string& id,
                         const std::string& property_id, const NewSubscription& subscription,
                         const bmx::Sealed& secret, const std::string& created_by);
std::vector<Subscription> live(pqxx::transaction_base& tx, const std::string& property_id,
                               common::TimePoint now);
std::optional<Subscription> find(pqxx::transaction_base& tx, const std::string& property_id,
                                 const std::string& id, common::TimePoint now);
// False when there is no such live subscription. Its pending deliveries fail.
bool remove(pqxx::transaction_base& tx, const std::string& property_id, const std::string& id);
// The current secret becomes the previous one, signing until `previous_until`.
bool rotate(pqxx::transaction_base& tx, const std::string& property_id, const std::string& id,
            const bmx::Sealed& secret, common::TimePoint previous_until);

std::vector<DeliveryRecord> deliveries(pqxx::transaction_base& tx,
                                       const std::string& subscription_id,
                                       const DeliveryQuery& query);
// A new delivery of the same event, queued on the webhook lane; nullopt when the
// delivery is not the subscription's.
std::optional<DeliveryRecord> redeliver(pqxx::transaction_base& tx,
                                        const std::string& subscription_id,
                                        const std::string& delivery_id,
                                        const std::string& property_id);

// What one attempt needs.
struct PendingDelivery {
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;
  std::optional<common::TimePoint> first_attempt_at;
  std::optional<common::TimePoint> next_attempt_at;
  bool subscription_deleted = false;
  std::string subscription_id;
  std::string url;
  bmx::Sealed secret;
  std::optional<bmx::Sealed> previous_secret;
  std::optional<common::TimePoint> previous_until;
  std::string event_id;
  std::string type;
  std::string property_id;
  common::TimePoint created_at;  // the event's
  std::string data;              // JSON text
};
std::optional<PendingDelivery> pending(pqxx::transaction_base& tx, const std::string& delivery_id);

struct Attempt {
  DeliveryStatus status = DeliveryStatus::pending;  // pending: to be retried
  std::optional<int> status_code;
  std::optional<std::string> error;
  common::TimePoint at;
  std::optional<common::TimePoint> next_attempt_at;
};
void record_attempt(pqxx::transaction_base& tx, const std::string& delivery_id,
                    const Attempt& attempt);
// A delivery that will not be attempted (its subscription was deleted).
void abandon(pqxx::transaction_base& tx, const std::string& delivery_id, const std::string& why);

}  // namespace frontdoor::webhooks::store
