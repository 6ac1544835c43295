#include "frontdoor/notify/dispatcher.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/listener.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/metrics.hpp"

namespace frontdoor::notify {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr const char* kNotifyChannel = "frontdoor_outbox";
constexpr auto kStatsEvery = std::chrono::seconds(2);
// Rows a lane claims at once: enough to keep its workers busy, few enough that
// another instance gets its share.
constexpr int kMostClaimedAtOnce = 16;

struct Claimed {
  std::string id;
  std::string channel;
  std::string kind;
  nlohmann::json payload;
  int attempts = 0;
  double queued_seconds = 0;  // since the message was queued
};

struct Registered {
  Dispatcher::Handler handler;
  Dispatcher::GivenUp given_up;
};

// A Postgres text[] literal of these words (they are our own channel and kind names).
std::string text_array(const std::vector<std::string>& words) {
  std::string array = "{";
  for (const auto& word : words) array += (array.size() > 1 ? ",\"" : "\"") + word + "\"";
  return array + "}";
}

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
constexpr const char* kRingLatency = "frontdoor_ring_latency_seconds";
constexpr const char* kRingLatencyHelp =
    "From a call's commit to the push provider accepting its ring.";

const char* circuit_name(int state) {
  switch (state) {
    case 1:
      return "open";
    case 2:
      return "half_open";
    default:
      return "closed";
  }
}

}  // namespace

// One lane: a claimer that takes due rows of its channel (or, for the urgent
// lane, urgent rows of any channel and the ids commits announce) and workers
// that deliver them. A lane shares nothing with another but the database.
class Lane {
 public:
  Lane(Dispatcher::Impl& owner, std::string name, LaneOptions options, bool urgent)
      : owner_(owner), name_(std::move(name)), options_(options), urgent_(urgent) {}

  ~Lane() { stop(); }

  const std::string& name() const { return name_; }
  void add_kind(const std::string& key) { keys_.push_back(key); }
  bool has_work() const { return !keys_.empty(); }

  void start();
  void stop();
  // Every series this lane will count, at 0, so that each exists from the start.
  void declare_series();
  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    claimer_wakeup_.notify_all();
  }
  // Urgent: a commit announced this message; claim it now.
  void claim_soon(std::string id) {
    {
      std::lock_guard lock(mutex_);
      announced_.push_back(std::move(id));
    }
    claimer_wakeup_.notify_all();
  }
  // Claims and delivers what is due on the calling thread; returns how many.
  int run_once();
  int in_flight() const { return in_flight_; }
  std::string circuit() const { return circuit_name(circuit_state_); }

 private:
  void claimer_loop();
  void worker_loop();
  // A claim lasts this long unless renewed: a few seconds on the urgent path,
  // so that another instance takes over a dead one's rings at once.
  std::chrono::milliseconds lease_for() const;
  // Renews the lease of every message this lane holds (claimed, queued or being
  // delivered), a third of a lease before it would lapse. Called by the claimer.
  void renew_leases();
  void hold(const std::vector<Claimed>& claimed);
  void release(const std::string& id);
  std::vector<Claimed> claim(int most);
  std::vector<Claimed> claim_announced(const std::string& id);
  void deliver(const Claimed& message);
  void record(const Claimed& message, const Delivery& result);
  // The circuit: failures in a row open it; a probe's success closes it.
  void after(const Delivery& result);

  Dispatcher::Impl& owner_;
  const std::string name_;
  const LaneOptions options_;
  const bool urgent_;
  std::vector<std::string> keys_;  // "channel:kind" this lane handles
  std::string keys_array_;

  std::mutex mutex_;
  std::condition_variable claimer_wakeup_;
  std::condition_variable work_ready_;
  std::deque<Claimed> queue_;
  std::deque<std::string> announced_;
  std::set<std::string> held_;  // ids this lane has claimed and not yet recorded
  SteadyClock::time_point next_renewal_{};
  int idle_workers_ = 0;
  bool woken_ = false;
  bool stopping_ = false;
  std::atomic<int> in_flight_{0};
  // 0 closed, 1 open, 2 half-open (one probe in flight).
  std::atomic<int> circuit_state_{0};
  int failures_in_row_ = 0;
  SteadyClock::time_point open_until_{};
  std::thread claimer_;
  std::vector<std::thread> workers_;
};

struct Dispatcher::Impl {
  Impl(db::Pool& database, http::Metrics& metric_registry, DispatcherOptions dispatcher_options)
      : pool(database), metrics(metric_registry), options(std::move(dispatcher_options)) {}

  Lane& lane(const std::string& channel) {
    auto& slot = lanes[channel];
    if (!slot) {
      const auto configured = options.lanes.find(channel);
      slot = std::make_unique<Lane>(
          *this, channel, configured == options.lanes.end() ? LaneOptions{} : configured->second,
          false);
    }
    return *slot;
  }

  void housekeeping_loop();
  void refresh_stats();
  void on_notification(const std::string& payload);
  void wake_all() {
    for (auto& [name, lane] : lanes) lane->wake();
    urgent->wake();
  }

  db::Pool& pool;
  http::Metrics& metrics;
  DispatcherOptions options;
  std::map<std::string, Registered> handlers;  // "channel:kind"
  std::map<std::string, std::unique_ptr<Lane>> lanes;
  std::unique_ptr<Lane> urgent;
  std::vector<std::function<void()>> every_pass;
  struct Periodic {
    std::chrono::milliseconds period;
    std::function<void()> task;
    SteadyClock::time_point next;
  };
  std::vector<Periodic> periodic;

  std::mutex mutex;
  std::condition_variable stop_wakeup;
  bool stopping = false;
  bool started = false;
  std::thread housekeeping;
  mutable std::mutex stats_mutex;
  std::vector<LaneStats> last_stats;
};

// ---------------------------------------------------------------------------
// A lane

void Lane::declare_series() {
  for (const auto& key : keys_) {
    for (const auto* counter : {&kDelivered, &kRetried, &kExpired, &kDead}) {
      owner_.metrics.declare_counter(counter->name, counter->help,
                                     {{"lane", name_}, {"kind", key}});
    }
  }
  owner_.metrics.declare_histogram(kDeliverySeconds, kDeliverySecondsHelp, {{"lane", name_}});
}

void Lane::start() {
  if (keys_.empty() || claimer_.joinable()) return;
  declare_series();
  keys_array_ = text_array(keys_);
  stopping_ = false;
  const int workers =
      std::max(1, urgent_ ? owner_.options.urgent_concurrency : options_.concurrency);
  idle_workers_ = workers;
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  claimer_ = std::thread([this] { claimer_loop(); });
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

void Lane::claimer_loop() {
  const auto poll = urgent_ ? owner_.options.urgent_poll_interval : owner_.options.poll_interval;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Work to claim only when a worker is free to take it.
    claimer_wakeup_.wait_for(lock, poll, [this] {
      return stopping_ ||
             (idle_workers_ > static_cast<int>(queue_.size()) && (woken_ || !announced_.empty()));
    });
    if (stopping_) break;
    woken_ = false;
    const int free = idle_workers_ - static_cast<int>(queue_.size());
    if (free <= 0) {
      lock.unlock();
      renew_leases();
      lock.lock();
      continue;
    }
    std::deque<std::string> ids;
    ids.swap(announced_);
    int most = std::min(free, kMostClaimedAtOnce);
    if (!urgent_ && circuit_state_ != 0) {
      // Open: nothing until it is time for one probe; half-open: the probe is out.
      if (circuit_state_ == 2 || SteadyClock::now() < open_until_) continue;
      circuit_state_ = 2;
      most = 1;
    }
    lock.unlock();
    std::vector<Claimed> claimed;
    try {
      for (const auto& id : ids) {
        for (auto& message : claim_announced(id)) claimed.push_back(std::move(message));
      }
      if (static_cast<int>(claimed.size()) < most) {
        for (auto& message : claim(most - static_cast<int>(claimed.size()))) {
          claimed.push_back(std::move(message));
        }
      }
    } catch (const std::exception& failure) {
      // The database is away: try again at the next poll.
      common::log::warn("outbox claim failed", {{"lane", name_}, {"error", failure.what()}});
    }
    hold(claimed);
    renew_leases();
    lock.lock();
    if (circuit_state_ == 2 && claimed.empty()) circuit_state_ = 1;  // nothing to probe with
    const bool full = static_cast<int>(claimed.size()) >= most && most > 0;
    for (auto& message : claimed) queue_.push_back(std::move(message));
    if (!claimed.empty()) work_ready_.notify_all();
    // A full claim suggests more is due: look again as soon as a worker is free.
    if (full) woken_ = true;
  }
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

std::vector<Claimed> Lane::claim(int most) {
  std::vector<Claimed> claimed;
  owner_.pool.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto lease = static_cast<long long>(lease_for().count());
    const auto rows = urgent_
                          ? tx.exec_prepared("outbox_claim_urgent", keys_array_, lease, most)
                          : tx.exec_prepared("outbox_claim_lane", name_, keys_array_, lease, most);
    for (const auto& row : rows) {
      claimed.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                         row[2].as<std::string>(), nlohmann::json::parse(row[3].as<std::string>()),
                         row[4].as<int>(), row[5].as<double>()});
    }
    tx.commit();
  });
  return claimed;
}

std::vector<Claimed> Lane::claim_announced(const std::string& id) {
  std::vector<Claimed> claimed;
  owner_.pool.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    for (const auto& row : tx.exec_prepared("outbox_claim_id", id, keys_array_,
                                            static_cast<long long>(lease_for().count()))) {
      claimed.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                         row[2].as<std::string>(), nlohmann::json::parse(row[3].as<std::string>()),
                         row[4].as<int>(), row[5].as<double>()});
    }
    tx.commit();
  });
  return claimed;
}

std::chrono::milliseconds Lane::lease_for() const {
  return urgent_ ? owner_.options.urgent_lease : owner_.options.lease;
}

void Lane::hold(const std::vector<Claimed>& claimed) {
  std::lock_guard lock(mutex_);
  for (const auto& message : claimed) held_.insert(message.id);
}

void Lane::release(const std::string& id) {
  std::lock_guard lock(mutex_);
  held_.erase(id);
}

void Lane::renew_leases() {
  std::string ids;
  {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    if (held_.empty() || now < next_renewal_) return;
    next_renewal_ = now + lease_for() / 3;
    for (const auto& id : held_) ids += (ids.empty() ? "{" : ",") + id;
  }
  ids += "}";
  try {
    owner_.pool.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      tx.exec_prepared("outbox_renew", ids, static_cast<long long>(lease_for().count()));
    });
  } catch (const std::exception& failure) {
    // The database is away: the claims may lapse, and another instance (or this
    // one) delivers those messages again. At least once, never lost.
    common::log::warn("outbox lease renewal failed", {{"lane", name_}, {"error", failure.what()}});
  }
}

int Lane::run_once() {
  if (keys_.empty()) return 0;
  keys_array_ = text_array(keys_);
  int handled = 0;
  while (true) {
    const auto claimed = claim(kMostClaimedAtOnce);
    for (const auto& message : claimed) deliver(message);
    handled += static_cast<int>(claimed.size());
    if (static_cast<int>(claimed.size()) < kMostClaimedAtOnce) break;
  }
  return handled;
}

void Lane::deliver(const Claimed& message) {
  ++in_flight_;
  const auto started = SteadyClock::now();
  const auto key = message.channel + ":" + message.kind;
  const auto& registered = owner_.handlers.at(key);
  Delivery result;
  try {
    result = registered.handler(message.payload);
  } catch (const std::exception& failure) {
    result = Delivery::later(failure.what());
  }
  if (result.outcome == Delivery::Outcome::retry &&
      message.attempts >= owner_.options.max_attempts) {
    result.outcome = Delivery::Outcome::dead;
    if (registered.given_up) {
      try {
        registered.given_up(message.payload, result.error);
      } catch (const std::exception& failure) {
        // Dead-lettered all the same, and visible there. When the database is
        // away, writing the dead letter fails too: the message comes back after
        // its lease and is given up again then.
        common::log::error("outbox give-up step failed",
                           {{"kind", key}, {"internal", failure.what()}});
      }
    }
  }
  try {
    record(message, result);
  } catch (const std::exception& failure) {
    // Its lease brings the message back.
    common::log::warn("outbox result not recorded", {{"lane", name_}, {"error", failure.what()}});
  }
  release(message.id);
  --in_flight_;
  const double seconds =
      message.queued_seconds + std::chrono::duration<double>(SteadyClock::now() - started).count();
  if (result.outcome == Delivery::Outcome::done) {
    owner_.metrics.observe(kDeliverySeconds, kDeliverySecondsHelp, {{"lane", name_}}, seconds);
    if (message.payload.value("data", nlohmann::json::object()).value("type", "") ==
        "incoming_call") {
      owner_.metrics.observe(kRingLatency, kRingLatencyHelp, {}, seconds);
    }
  }
  if (!urgent_) after(result);
}

void Lane::record(const Claimed& message, const Delivery& result) {
  const auto counted = [&](const OutcomeCounter& counter) {
    owner_.metrics.increment(counter.name, counter.help,
                             {{"lane", name_}, {"kind", message.channel + ":" + message.kind}});
  };
  owner_.pool.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    switch (result.outcome) {
      case Delivery::Outcome::done:
        tx.exec_prepared("outbox_done", message.id);
        counted(kDelivered);
        break;
      case Delivery::Outcome::retry: {
        const auto delay =
            urgent_ ? backoff(owner_.options.urgent_backoff_base, owner_.options.urgent_backoff_cap,
                              message.attempts)
                    : backoff(options_.backoff_base, options_.backoff_cap, message.attempts);
        tx.exec_prepared("outbox_retry", message.id, static_cast<long long>(delay.count()),
                         result.error);
        counted(kRetried);
        break;
      }
      case Delivery::Outcome::wait:
        tx.exec_prepared("outbox_wait", message.id, static_cast<long long>(result.delay.count()),
                         result.error);
        break;
      case Delivery::Outcome::expired:
        tx.exec_prepared("outbox_expired", message.id, result.error);
        counted(kExpired);
        break;
      case Delivery::Outcome::dead:
        common::log::error("outbox message dead-lettered",
                           {{"id", message.id},
                            {"kind", message.channel + ":" + message.kind},
                            {"error", result.error}});
        tx.exec_prepared("outbox_dead", message.id, result.error);
        counted(kDead);
        break;
    }
  });
}

void Lane::after(const Delivery& result) {
  const bool failed = result.outcome == Delivery::Outcome::retry;
  bool closed_now = false;
  {
    std::lock_guard lock(mutex_);
    if (failed) {
      ++failures_in_row_;
      const bool probe_failed = circuit_state_ == 2;
      if (probe_failed || failures_in_row_ >= options_.breaker_failures) {
        if (circuit_state_ == 0) {
          common::log::warn("outbox lane circuit opened",
                            {{"lane", name_}, {"failures", failures_in_row_}});
        }
        circuit_state_ = 1;
        open_until_ = SteadyClock::now() + options_.breaker_open_for;
      }
    } else {
      failures_in_row_ = 0;
      if (circuit_state_ != 0) {
        circuit_state_ = 0;
        closed_now = true;
      }
    }
  }
  if (!closed_now) return;
  // The channel answers again: what the outage pushed back is due now, not after
  // its backoff (rows in flight elsewhere keep their lease).
  try {
    const auto pulled = owner_.pool.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return tx.exec_prepared("outbox_pull_forward", name_).affected_rows();
    });
    common::log::info("outbox lane circuit closed", {{"lane", name_}, {"due_again", pulled}});
  } catch (const std::exception& failure) {
    common::log::warn("outbox pull-forward failed", {{"lane", name_}, {"error", failure.what()}});
  }
  wake();
}

// ---------------------------------------------------------------------------
// Notifications, housekeeping, statistics

void Dispatcher::Impl::on_notification(const std::string& payload) {
  if (payload.rfind("urgent:", 0) == 0) {
    urgent->claim_soon(payload.substr(7));
  } else if (payload.rfind("lane:", 0) == 0) {
    if (auto found = lanes.find(payload.substr(5)); found != lanes.end()) found->second->wake();
  }
}

void Dispatcher::Impl::refresh_stats() {
  auto rows = pool.run([](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("outbox_backlog");
  });
  std::map<std::string, std::pair<long long, double>> backlog;
  for (const auto& row : rows) {
    backlog[row[0].as<std::string>()] = {row[1].as<long long>(), row[2].as<double>()};
  }
  std::vector<LaneStats> fresh;
  const auto add = [&](const Lane& lane) {
    LaneStats stats;
    stats.lane = lane.name();
    stats.pending = backlog[lane.name()].first;
    stats.oldest_pending_seconds = backlog[lane.name()].second;
    stats.in_flight = lane.in_flight();
    stats.circuit = lane.circuit();
    const http::Metrics::Labels labels{{"lane", stats.lane}};
    metrics.set_gauge("frontdoor_outbox_pending", "Outbox messages waiting, per lane.", labels,
                      static_cast<double>(stats.pending));
    metrics.set_gauge("frontdoor_outbox_oldest_pending_seconds",
                      "How long the oldest message that is due has waited, per lane.", labels,
                      stats.oldest_pending_seconds);
    metrics.set_gauge("frontdoor_outbox_in_flight", "Outbox messages being delivered here.", labels,
                      stats.in_flight);
    metrics.set_gauge("frontdoor_outbox_circuit_open",
                      "1 while a lane's circuit is open or probing, else 0.", labels,
                      stats.circuit == "closed" ? 0.0 : 1.0);
    fresh.push_back(std::move(stats));
  };
  for (const auto& [name, lane] : lanes) add(*lane);
  add(*urgent);
  std::lock_guard lock(stats_mutex);
  last_stats = std::move(fresh);
}

void Dispatcher::Impl::housekeeping_loop() {
  auto next_stats = SteadyClock::now();
  while (true) {
    {
      std::unique_lock lock(mutex);
      stop_wakeup.wait_for(lock, options.poll_interval, [this] { return stopping; });
      if (stopping) return;
    }
    const auto now = SteadyClock::now();
    try {
      for (const auto& task : every_pass) task();
      for (auto& job : periodic) {
        if (now < job.next) continue;
        job.next = now + job.period;
        job.task();
      }
      if (now >= next_stats) {
        next_stats = now + kStatsEvery;
        refresh_stats();
      }
    } catch (const std::exception& failure) {
      // The database is away: try again at the next poll.
      common::log::warn("outbox housekeeping failed", {{"error", failure.what()}});
    }
  }
}

// ---------------------------------------------------------------------------
// The dispatcher

Dispatcher::Dispatcher(db::Pool& pool, http::Metrics& metrics, DispatcherOptions options)
    : impl_(std::make_unique<Impl>(pool, metrics, std::move(options))) {
  impl_->urgent = std::make_unique<Lane>(*impl_, "urgent", LaneOptions{}, true);
  // A claim takes the lease; the retry time stays what it was, so that a lane
  // recovering from an outage can pull due work forward without touching rows
  // another worker holds. $1 lane, $2 handled "channel:kind"s, $3 lease (ms), $4 most.
  const std::string kReturning =
      " RETURNING id, channel, coalesce(payload->>'kind', ''), payload, attempts, "
      "extract(epoch FROM now() - created_at)::float8";
  const std::string kClaimable =
      "status = 'pending' AND next_attempt_at <= now() "
      "AND (lease_until IS NULL OR lease_until <= now()) "
      "AND channel || ':' || coalesce(payload->>'kind', '') = ANY(";
  pool.prepare("outbox_claim_lane",
               "UPDATE outbox SET attempts = attempts + 1, "
               "lease_until = now() + $3 * interval '1 millisecond' WHERE id IN (SELECT id FROM "
               "outbox WHERE channel = $1 AND NOT urgent AND " +
                   kClaimable +
                   "$2::text[]) ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)" +
                   kReturning);
  pool.prepare("outbox_claim_urgent",
               "UPDATE outbox SET attempts = attempts + 1, "
               "lease_until = now() + $2 * interval '1 millisecond' WHERE id IN (SELECT id FROM "
               "outbox WHERE urgent AND " +
                   kClaimable +
                   "$1::text[]) ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)" +
                   kReturning);
  // The message a commit just announced: every instance hears of it, one claims it.
  pool.prepare("outbox_claim_id",
               "UPDATE outbox SET attempts = attempts + 1, "
               "lease_until = now() + $3 * interval '1 millisecond' WHERE id IN (SELECT id FROM "
               "outbox WHERE id = $1::uuid AND " +
                   kClaimable + "$2::text[]) FOR UPDATE SKIP LOCKED)" + kReturning);
  // Claims still being worked on live on; $1 ids, $2 lease (ms).
  pool.prepare("outbox_renew",
               "UPDATE outbox SET lease_until = now() + $2 * interval '1 millisecond' "
               "WHERE id = ANY($1::uuid[]) AND status = 'pending'");
  pool.prepare("outbox_done",
               "UPDATE outbox SET status = 'sent', sent_at = now(), finished_at = now(), "
               "lease_until = NULL, last_error = NULL WHERE id = $1");
  pool.prepare("outbox_retry",
               "UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', "
               "lease_until = NULL, last_error = $3 WHERE id = $1");
  // Not yet: the attempt does not count.
  pool.prepare("outbox_wait",
               "UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', "
               "lease_until = NULL, last_error = $3, attempts = greatest(attempts - 1, 0) "
               "WHERE id = $1");
  pool.prepare("outbox_expired",
               "UPDATE outbox SET status = 'expired', finished_at = now(), lease_until = NULL, "
               "last_error = $2 WHERE id = $1");
  // A dead letter is an event someone must look at: it goes to the audit trail
  // of its property (when the message names one) in the same statement.
  pool.prepare("outbox_dead",
               "WITH dead AS (UPDATE outbox SET status = 'dead', finished_at = now(), "
               "lease_until = NULL, last_error = $2 WHERE id = $1 RETURNING id, channel, payload) "
               "SELECT audit_record((SELECT id FROM property_rules WHERE id::text = "
               "dead.payload->>'property_id'), NULL, 'system:outbox', 'outbox.dead_lettered', "
               "'outbox', dead.id::text, jsonb_build_object('channel', dead.channel, "
               "'kind', dead.payload->>'kind', 'error', $2::text)) FROM dead");
  // A lane's channel recovered: retries it pushed back are due now.
  pool.prepare("outbox_pull_forward",
               "UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending' "
               "AND channel = $1 AND NOT urgent AND attempts > 0 AND next_attempt_at > now() "
               "AND (lease_until IS NULL OR lease_until <= now())");
  // Waiting messages per lane, and how long the oldest of those already due has
  // waited since it became due (a retry or a delivery pass scheduled for later
  // is not late).
  pool.prepare("outbox_backlog",
               "SELECT CASE WHEN urgent THEN 'urgent' ELSE channel END, count(*), "
               "coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE "
               "next_attempt_at <= now())), 0)::float8 "
               "FROM outbox WHERE status = 'pending' GROUP BY 1");
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::handle(const std::string& channel, const std::string& kind, Handler handler,
                        GivenUp given_up) {
  const auto key = channel + ":" + kind;
  if (impl_->handlers.count(key) == 0) {
    impl_->lane(channel).add_kind(key);
    impl_->urgent->add_kind(key);
  }
  impl_->handlers[key] = {std::move(handler), std::move(given_up)};
}

void Dispatcher::every_pass(std::function<void()> task) {
  impl_->every_pass.push_back(std::move(task));
}

void Dispatcher::every(std::chrono::milliseconds period, std::function<void()> task) {
  impl_->periodic.push_back({period, std::move(task), SteadyClock::now() + period});
}

void Dispatcher::start() {
  auto& impl = *impl_;
  if (impl.started) return;
  impl.started = true;
  impl.stopping = false;
  for (auto& [name, lane] : impl.lanes) lane->start();
  impl.urgent->start();
  impl.metrics.declare_histogram(kRingLatency, kRingLatencyHelp, {});
  try {
    // The backlog gauges exist from the first scrape on.
    impl.refresh_stats();
  } catch (const std::exception& failure) {
    common::log::warn("outbox statistics not read", {{"error", failure.what()}});
  }
  impl.housekeeping = std::thread([&impl] { impl.housekeeping_loop(); });
  impl.wake_all();
}

void Dispatcher::stop() {
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    impl.stopping = true;
  }
  impl.stop_wakeup.notify_all();
  if (impl.housekeeping.joinable()) impl.housekeeping.join();
  for (auto& [name, lane] : impl.lanes) lane->stop();
  if (impl.urgent) impl.urgent->stop();
  impl.started = false;
}

void Dispatcher::wake() { impl_->wake_all(); }

void Dispatcher::listen_on(db::Listener& listener) {
  auto* impl = impl_.get();
  listener.on(kNotifyChannel,
              [impl](const std::string& payload) { impl->on_notification(payload); });
  // Anything committed while nobody listened is found by looking now.
  listener.on_connected([impl] { impl->wake_all(); });
}

int Dispatcher::run_once() {
  int handled = impl_->urgent->run_once();
  for (auto& [name, lane] : impl_->lanes) handled += lane->run_once();
  return handled;
}

std::vector<LaneStats> Dispatcher::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->last_stats;
}

}  // namespace frontdoor::notify
