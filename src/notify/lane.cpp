// A lane's workers: deliver a claimed message through its handler, record the
// outcome, count it, and keep the lane's circuit.
#include "lane.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/metrics.hpp"

namespace frontdoor::notify {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::chrono::milliseconds backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                  int attempts) {
  const auto doubled = base.count() << std::min(std::max(attempts - 1, 0), 20);
  return std::chrono::milliseconds(std::min<long long>(cap.count(), doubled));
}

// The counters of a delivery's outcomes, by lane and "channel:kind".
struct OutcomeCounter {
  const char* name;
  const char* help;
};
constexpr OutcomeCounter kDelivered{"frontdoor_outbox_delivered_total",
                                    "Outbox messages delivered."};
constexpr OutcomeCounter kRetried{"frontdoor_outbox_retried_total",
                                  "Outbox deliveries that failed and will retry."};
constexpr OutcomeCounter kExpired{"frontdoor_outbox_expired_total",
                                  "Outbox messages dropped because they could no longer matter."};
constexpr OutcomeCounter kDead{"frontdoor_outbox_dead_total",
                               "Outbox messages given up after their last attempt."};
constexpr const char* kDeliverySeconds = "frontdoor_outbox_delivery_seconds";
constexpr const char* kDeliverySecondsHelp = "From queued to delivered, per lane.";

std::string key_of(const store::Claimed& message) {
  return std::string(common::name_of(message.channel)) + ":" + message.kind;
}

}  // namespace

Lane::Lane(const LaneShared& shared, std::string name, LaneOptions options, bool urgent)
    : shared_(shared),
      name_(std::move(name)),
      options_(options),
      urgent_(urgent),
      breaker_(options.breaker_failures, options.breaker_open_for) {}

void Lane::declare_series() {
  for (const auto& key : keys_) {
    for (const auto* counter : {&kDelivered, &kRetried, &kExpired, &kDead}) {
      shared_.metrics.declare_counter(counter->name, counter->help,
                                      {{"lane", name_}, {"kind", key}});
    }
  }
  shared_.metrics.declare_histogram(kDeliverySeconds, kDeliverySecondsHelp, {{"lane", name_}});
}

void Lane::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  claimer_wakeup_.notify_all();
  work_ready_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  // Claimed but not delivered: their lease brings them back.
  queue_.clear();
}

void Lane::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  claimer_wakeup_.notify_all();
}

void Lane::claim_soon(std::string id) {
  {
    std::lock_guard lock(mutex_);
    announced_.push_back(std::move(id));
  }
  claimer_wakeup_.notify_all();
}

void Lane::worker_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto message = std::move(queue_.front());
    queue_.pop_front();
    --idle_workers_;
    lock.unlock();
    deliver(message);
    lock.lock();
    ++idle_workers_;
    claimer_wakeup_.notify_all();
  }
}

void Lane::deliver(const store::Claimed& message) {
  ++in_flight_;
  const auto started = SteadyClock::now();
  const auto result = outcome_of(message, shared_.handlers.at(key_of(message)));
  try {
    record(message, result);
  } catch (const std::exception& failure) {
    // Its lease brings the message back.
    common::log::warn("outbox result not recorded", {{"lane", name_}, {"error", failure.what()}});
  }
  release(message.id);
  --in_flight_;
  if (result.outcome == Delivery::Outcome::done) {
    observe(message, message.queued_seconds +
                         std::chrono::duration<double>(SteadyClock::now() - started).count());
  }
  if (!urgent_) after(result);
}

Delivery Lane::outcome_of(const store::Claimed& message, const Registered& registered) {
  Delivery result;
  try {
    result = registered.handler(message.payload);
  } catch (const std::exception& failure) {
    result = Delivery::later(failure.what());
  }
  if (result.outcome != Delivery::Outcome::retry ||
      message.attempts < shared_.options.max_attempts) {
    return result;
  }
  result.outcome = Delivery::Outcome::dead;
  if (registered.given_up) {
    try {
      registered.given_up(message.payload, result.error);
    } catch (const std::exception& failure) {
      // Dead-lettered all the same, and visible there. When the database is
      // away, writing the dead letter fails too: the message comes back after
      // its lease and is given up again then.
      common::log::error("outbox give-up step failed",
                         {{"kind", key_of(message)}, {"internal", failure.what()}});
    }
  }
  return result;
}

void Lane::record(const store::Claimed& message, const Delivery& result) {
  const auto counted = [&](const OutcomeCounter& counter) {
    shared_.metrics.increment(counter.name, counter.help,
                              {{"lane", name_}, {"kind", key_of(message)}});
  };
  const auto& options = shared_.options;
  shared_.pool.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    switch (result.outcome) {
      case Delivery::Outcome::done:
        store::done(tx, message.id);
        counted(kDelivered);
        break;
      case Delivery::Outcome::retry:
        store::retry(
            tx, message.id,
            urgent_
                ? backoff(options.urgent_backoff_base, options.urgent_backoff_cap, message.attempts)
                : backoff(options_.backoff_base, options_.backoff_cap, message.attempts),
            result.error);
        counted(kRetried);
        break;
      case Delivery::Outcome::wait:
        store::wait(tx, message.id, result.delay, result.error);
        break;
      case Delivery::Outcome::expired:
        store::expired(tx, message.id, result.error);
        counted(kExpired);
        break;
      case Delivery::Outcome::dead:
        common::log::error(
            "outbox message dead-lettered",
            {{"id", message.id}, {"kind", key_of(message)}, {"error", result.error}});
        store::dead(tx, message.id, result.error);
        counted(kDead);
        break;
    }
  });
}

void Lane::observe(const store::Claimed& message, double seconds) {
  shared_.metrics.observe(kDeliverySeconds, kDeliverySecondsHelp, {{"lane", name_}}, seconds);
  if (message.payload.value("data", nlohmann::json::object()).value("type", "") ==
      "incoming_call") {
    shared_.metrics.observe(kRingLatency, kRingLatencyHelp, {}, seconds);
  }
}

void Lane::after(const Delivery& result) {
  if (result.outcome == Delivery::Outcome::retry) {
    if (breaker_.failed()) common::log::warn("outbox lane circuit opened", {{"lane", name_}});
    return;
  }
  if (!breaker_.succeeded()) return;
  // The channel answers again: what the outage pushed back is due now, not after
  // its backoff (rows in flight elsewhere keep their lease).
  try {
    const auto pulled = shared_.pool.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return store::pull_forward(tx, name_);
    });
    common::log::info("outbox lane circuit closed", {{"lane", name_}, {"due_again", pulled}});
  } catch (const std::exception& failure) {
    common::log::warn("outbox pull-forward failed", {{"lane", name_}, {"error", failure.what()}});
  }
  wake();
}

}  // namespace frontdoor::notify
