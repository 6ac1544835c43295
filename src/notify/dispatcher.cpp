// The dispatcher: its lanes (lane.hpp), the notifications that wake them, and
// housekeeping (every-pass work, periodic sweeps, backlog statistics).
#include "frontdoor/notify/dispatcher.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/listener.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/metrics.hpp"
#include "lane.hpp"

namespace frontdoor::notify {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr const char* kNotifyChannel = "frontdoor_outbox";
constexpr auto kStatsEvery = std::chrono::seconds(2);

}  // namespace

struct Dispatcher::Impl {
  Impl(db::Pool& database, http::Metrics& metric_registry, DispatcherOptions dispatcher_options)
      : pool(database),
        metrics(metric_registry),
        options(std::move(dispatcher_options)),
        shared{pool, metrics, options, handlers} {}

  Lane& lane(Channel channel) {
    const std::string name(common::name_of(channel));
    auto& slot = lanes[name];
    if (!slot) {
      const auto configured = options.lanes.find(channel);
      slot = std::make_unique<Lane>(
          shared, name, configured == options.lanes.end() ? LaneOptions{} : configured->second,
          false);
    }
    return *slot;
  }

  void housekeeping_loop();
  void housekeeping_pass(SteadyClock::time_point& next_stats);
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
  LaneShared shared;
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

void Dispatcher::Impl::on_notification(const std::string& payload) {
  if (payload.rfind("urgent:", 0) == 0) {
    urgent->claim_soon(payload.substr(7));
  } else if (payload.rfind("lane:", 0) == 0) {
    if (auto found = lanes.find(payload.substr(5)); found != lanes.end()) found->second->wake();
  }
}

void Dispatcher::Impl::refresh_stats() {
  const auto rows = pool.run([](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::backlog(tx);
  });
  std::map<std::string, store::LaneBacklog> backlog;
  for (const auto& row : rows) backlog[row.lane] = row;
  std::vector<LaneStats> fresh;
  const auto add = [&](const Lane& lane) {
    LaneStats stats;
    stats.lane = lane.name();
    stats.pending = backlog[lane.name()].pending;
    stats.oldest_pending_seconds = backlog[lane.name()].oldest_due_seconds;
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
                      stats.circuit == common::CircuitBreaker::State::closed ? 0.0 : 1.0);
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
    try {
      housekeeping_pass(next_stats);
    } catch (const std::exception& failure) {
      // The database is away: try again at the next poll.
      common::log::warn("outbox housekeeping failed", {{"error", failure.what()}});
    }
  }
}

void Dispatcher::Impl::housekeeping_pass(SteadyClock::time_point& next_stats) {
  const auto now = SteadyClock::now();
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
}

// ---------------------------------------------------------------------------
// The dispatcher

Dispatcher::Dispatcher(db::Pool& pool, http::Metrics& metrics, DispatcherOptions options)
    : impl_(std::make_unique<Impl>(pool, metrics, std::move(options))) {
  store::prepare_lanes(pool);
  impl_->urgent = std::make_unique<Lane>(impl_->shared, "urgent", LaneOptions{}, true);
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::handle(Channel channel, const std::string& kind, Handler handler,
                        GivenUp given_up) {
  const auto key = std::string(common::name_of(channel)) + ":" + kind;
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
