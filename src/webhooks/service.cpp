#include "frontdoor/webhooks/service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/policy.hpp"
#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "sender.hpp"
#include "store.hpp"
#include "target_check.hpp"

namespace frontdoor::webhooks {
namespace {

using auth::Action;
using auth::Policy;
using common::TimePoint;
using notify::Delivery;

constexpr int kMostSubscriptions = 25;
constexpr auto kPreviousSecretSigns = std::chrono::hours(24);

std::string new_secret() { return "whsec_" + common::random_hex(32); }

}  // namespace

Webhooks::Webhooks(db::Pool& pool, const bmx::TokenCipher& cipher, const audit::AuditTrail& audit,
                   const common::Clock& clock, Options options)
    : pool_(pool), cipher_(cipher), audit_(audit), clock_(clock), options_(options) {
  store::prepare(pool_);
}

Subscription Webhooks::create(const auth::Principal& actor, const std::string& property_id,
                              const NewSubscription& subscription) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  check_new_url(subscription.url);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (store::live_count_locked(tx, property_id) >= kMostSubscriptions) {
      throw common::ApiError::conflict(
          "too_many_webhooks",
          "A property has at most " + std::to_string(kMostSubscriptions) + " webhooks.");
    }
    Subscription created;
    created.id = store::new_id(tx);
    created.secret = new_secret();
    const auto sealed = cipher_.seal(created.secret, sealing_context(created.id));
    created.created_at =
        store::insert(tx, created.id, property_id, subscription, sealed, actor.user_id);
    created.property_id = property_id;
    created.url = subscription.url;
    created.events = subscription.events;
    created.description = subscription.description;
    audit_.record(tx, actor,
                  {property_id,
                   "webhook.created",
                   "webhook",
                   created.id,
                   {{"url", subscription.url}, {"events", subscription.events}}});
    tx.commit();
    return created;
  });
}

void Webhooks::check_new_url(const std::string& url) const {
  const auto checked = check_target(url, options_);
  if (!checked) {
    throw common::ApiError::validation(
        {{"url", "format", "Must be an absolute https URL without user name or password."}});
  }
  if (!checked->refusal.empty()) {
    const bool scheme = checked->target.scheme != "https" && !options_.allow_http;
    throw common::ApiError::validation(
        {{"url", scheme ? "https_required" : "internal_address",
          "Webhooks are delivered only over the public internet: " + checked->refusal + "."}});
  }
}

std::vector<Subscription> Webhooks::list(const auth::Principal& actor,
                                         const std::string& property_id) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::live(tx, property_id, clock_.now());
  });
}

void Webhooks::remove(const auth::Principal& actor, const std::string& property_id,
                      const std::string& subscription_id) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::remove(tx, property_id, subscription_id)) throw common::ApiError::not_found();
    audit_.record(tx, actor, {property_id, "webhook.deleted", "webhook", subscription_id, {}});
    tx.commit();
  });
}

Subscription Webhooks::rotate_secret(const auth::Principal& actor, const std::string& property_id,
                                     const std::string& subscription_id) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto now = clock_.now();
    const auto secret = new_secret();
    const auto sealed = cipher_.seal(secret, sealing_context(subscription_id));
    if (!store::rotate(tx, property_id, subscription_id, sealed, now + kPreviousSecretSigns)) {
      throw common::ApiError::not_found();
    }
    auto rotated = store::find(tx, property_id, subscription_id, now);
    if (!rotated) throw common::ApiError::not_found();
    rotated->secret = secret;
    audit_.record(tx, actor,
                  {property_id, "webhook.secret_rotated", "webhook", subscription_id, {}});
    tx.commit();
    return *rotated;
  });
}

DeliveryPage Webhooks::deliveries(const auth::Principal& actor, const std::string& property_id,
                                  const std::string& subscription_id, const DeliveryQuery& query) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  auto fetched = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    if (!store::find(tx, property_id, subscription_id, clock_.now())) {
      throw common::ApiError::not_found();
    }
    return store::deliveries(tx, subscription_id, query);
  });
  return common::keyset_page<common::TimeAndId>(
      std::move(fetched), query.limit, [](const DeliveryRecord& delivery) {
        return common::TimeAndId{common::to_sql_timestamp(delivery.created_at), delivery.id};
      });
}

DeliveryRecord Webhooks::redeliver(const auth::Principal& actor, const std::string& property_id,
                                   const std::string& subscription_id,
                                   const std::string& delivery_id) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::find(tx, property_id, subscription_id, clock_.now())) {
      throw common::ApiError::not_found();
    }
    auto again = store::redeliver(tx, subscription_id, delivery_id, property_id);
    if (!again) throw common::ApiError::not_found();
    audit_.record(tx, actor,
                  {property_id,
                   "webhook.redelivered",
                   "webhook",
                   subscription_id,
                   {{"delivery_id", delivery_id}, {"new_delivery_id", again->id}}});
    tx.commit();
    return *again;
  });
}

void Webhooks::register_on(notify::Dispatcher& dispatcher) {
  dispatcher.handle(notify::Channel::webhook, "delivery", [this](const nlohmann::json& payload) {
    return deliver(payload.value("delivery_id", ""));
  });
}

Delivery Webhooks::deliver(const std::string& delivery_id) {
  const auto delivery = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::pending(tx, delivery_id);
  });
  if (!delivery || delivery->status != DeliveryStatus::pending) return Delivery::ok();
  if (delivery->subscription_deleted) {
    pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      store::abandon(tx, delivery_id, "subscription deleted");
      tx.commit();
    });
    return Delivery::ok();
  }
  const auto now = clock_.now();
  if (delivery->next_attempt_at && *delivery->next_attempt_at > now) {
    return not_before(*delivery->next_attempt_at, now);
  }
  const auto outcome = send_signed(cipher_, options_, *delivery, now);
  store::Attempt attempt{
      outcome.delivered ? DeliveryStatus::delivered : DeliveryStatus::pending, outcome.status_code,
      outcome.error.empty() ? std::nullopt : std::optional(outcome.error), now, std::nullopt};
  std::optional<TimePoint> next;
  if (!outcome.delivered) {
    const auto first = delivery->first_attempt_at.value_or(now);
    next = next_attempt(first, now, delivery->attempts + 1);
    if (next) {
      attempt.next_attempt_at = *next;
    } else {
      attempt.status = DeliveryStatus::failed;
    }
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    store::record_attempt(tx, delivery_id, attempt);
    tx.commit();
  });
  if (attempt.status == DeliveryStatus::failed) {
    common::log::warn("webhook delivery failed for good",
                      {{"delivery_id", delivery_id}, {"error", outcome.error}});
  }
  return next ? not_before(*next, now) : Delivery::ok();
}

// The outbox looks again when the retry is due, or sooner (the recheck) so that
// the injected clock, not the database's, decides when it is due.
Delivery Webhooks::not_before(TimePoint due, TimePoint now) const {
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - now);
  return Delivery::wait("retry scheduled",
                        std::clamp(wait, std::chrono::milliseconds(1), options_.recheck));
}

}  // namespace frontdoor::webhooks
