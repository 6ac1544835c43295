#include "frontdoor/webhooks/service.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/policy.hpp"
#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/client.hpp"
#include "store.hpp"
#include "target_check.hpp"

namespace frontdoor::webhooks {
namespace {

using auth::Action;
using auth::Policy;
using notify::Delivery;
using TimePoint = std::chrono::system_clock::time_point;

constexpr int kMostSubscriptions = 25;
constexpr auto kPreviousSecretSigns = std::chrono::hours(24);

double unix_seconds(TimePoint time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

TimePoint from_unix(double seconds) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(seconds)));
}

std::string sealing_context(const std::string& subscription_id) {
  return "webhook:" + subscription_id;
}

std::string new_secret() { return "whsec_" + common::random_hex(32); }

// The body an integrator receives, byte for byte what is signed.
std::string event_body(const store::PendingDelivery& delivery) {
  return nlohmann::json{{"id", delivery.event_id},
                        {"type", delivery.type},
                        {"created_at", delivery.created_at},
                        {"property_id", delivery.property_id},
                        {"data", nlohmann::json::parse(delivery.data)}}
      .dump();
}

// curl's pin for a name: host:port:addr[,addr] (IPv6 in brackets).
std::string pin(const CheckedTarget& checked) {
  std::string entry = checked.target.host + ":" + std::to_string(checked.target.port) + ":";
  for (std::size_t i = 0; i < checked.addresses.size(); ++i) {
    const auto& address = checked.addresses[i];
    if (i > 0) entry += ",";
    entry += address.find(':') == std::string::npos ? address : "[" + address + "]";
  }
  return entry;
}

// How one attempt went: the receiver's status, or why there was none.
struct Outcome {
  bool delivered = false;
  std::optional<int> status_code;
  std::string error;
};

Outcome attempt(const bmx::TokenCipher& cipher, const Options& options,
                const store::PendingDelivery& delivery, TimePoint now);

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
    if (store::live_count(tx, property_id) >= kMostSubscriptions) {
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
    return store::live(tx, property_id, unix_seconds(clock_.now()));
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
    if (!store::rotate(tx, property_id, subscription_id, sealed,
                       unix_seconds(now + kPreviousSecretSigns))) {
      throw common::ApiError::not_found();
    }
    auto rotated = store::find(tx, property_id, subscription_id, unix_seconds(now));
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
    if (!store::find(tx, property_id, subscription_id, unix_seconds(clock_.now()))) {
      throw common::ApiError::not_found();
    }
    return store::deliveries(tx, subscription_id, query);
  });
  return common::keyset_page<common::TimeAndId>(
      std::move(fetched), query.limit, [](const DeliveryRecord& delivery) {
        return common::TimeAndId{delivery.cursor, delivery.id};
      });
}

DeliveryRecord Webhooks::redeliver(const auth::Principal& actor, const std::string& property_id,
                                   const std::string& subscription_id,
                                   const std::string& delivery_id) {
  Policy::require(actor, Action::manage_webhooks, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::find(tx, property_id, subscription_id, unix_seconds(clock_.now()))) {
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
  dispatcher.handle("webhook", "delivery", [this](const nlohmann::json& payload) {
    return deliver(payload.value("delivery_id", ""));
  });
}

Delivery Webhooks::deliver(const std::string& delivery_id) {
  const auto delivery = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::pending(tx, delivery_id);
  });
  if (!delivery || delivery->status != "pending") return Delivery::ok();
  if (delivery->subscription_deleted) {
    pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      store::abandon(tx, delivery_id, "subscription deleted");
      tx.commit();
    });
    return Delivery::ok();
  }
  const auto now = clock_.now();
  if (delivery->next_attempt_at && from_unix(*delivery->next_attempt_at) > now) {
    return not_before(from_unix(*delivery->next_attempt_at), now);
  }
  const auto outcome = attempt(cipher_, options_, *delivery, now);
  store::Attempt attempt{outcome.delivered ? "delivered" : "pending", outcome.status_code,
                         outcome.error.empty() ? std::nullopt : std::optional(outcome.error),
                         unix_seconds(now), std::nullopt};
  std::optional<TimePoint> next;
  if (!outcome.delivered) {
    const auto first = delivery->first_attempt_at ? from_unix(*delivery->first_attempt_at) : now;
    next = next_attempt(first, now, delivery->attempts + 1);
    if (next) {
      attempt.next_attempt_at = unix_seconds(*next);
    } else {
      attempt.status = "failed";
    }
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    store::record_attempt(tx, delivery_id, attempt);
    tx.commit();
  });
  if (attempt.status == "failed") {
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

namespace {

// One signed POST to the subscription's URL, after the address check.
Outcome attempt(const bmx::TokenCipher& cipher, const Options& options,
                const store::PendingDelivery& delivery, TimePoint now) {
  const auto checked = check_target(delivery.url, options);
  if (!checked) return {false, std::nullopt, "the URL is not an absolute http(s) URL"};
  if (!checked->refusal.empty()) return {false, std::nullopt, "refused: " + checked->refusal};
  if (!checked->resolved()) return {false, std::nullopt, "cannot resolve " + checked->target.host};

  std::vector<std::string> secrets{
      cipher.open(delivery.secret, sealing_context(delivery.subscription_id))};
  if (delivery.previous_secret && delivery.previous_until &&
      from_unix(*delivery.previous_until) > now) {
    secrets.push_back(
        cipher.open(*delivery.previous_secret, sealing_context(delivery.subscription_id)));
  }
  http::OutboundRequest request;
  request.method = "POST";
  request.url = delivery.url;
  request.body = event_body(delivery);
  const auto signed_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "frontdoor-webhooks/1"},
                     {"Frontdoor-Event-Id", delivery.event_id},
                     {"Frontdoor-Signature", signature_header(signed_at, request.body, secrets)}};
  // Connect only to the addresses just checked: a second lookup could answer otherwise.
  if (checked->addresses != std::vector<std::string>{checked->target.host}) {
    request.resolve = {pin(*checked)};
  }
  request.connect_timeout = std::min(options.timeout, std::chrono::milliseconds(5000));
  request.total_timeout = options.timeout;
  request.max_response_bytes = 64 << 10;
  const auto response = http::send(request);
  if (response.failure != http::OutboundResponse::Failure::none) {
    return {false, std::nullopt, response.error};
  }
  if (response.ok()) return {true, response.status, {}};
  return {false, response.status, "the receiver answered " + std::to_string(response.status)};
}

}  // namespace

}  // namespace frontdoor::webhooks
