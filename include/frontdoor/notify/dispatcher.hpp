#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "frontdoor/common/circuit_breaker.hpp"
#include "frontdoor/notify/channel.hpp"

namespace frontdoor::db {
class Listener;
class Pool;
}  // namespace frontdoor::db
namespace frontdoor::http {
class Metrics;
}

namespace frontdoor::notify {

struct Delivery {
  enum class Outcome {
    done,
    retry,    // the channel failed (5xx, timeout, refused connection): counts toward its circuit
    wait,     // not yet (e.g. BMX may still be finishing something): no failure, no attempt used
    dead,     // will never work: dead-lettered
    expired,  // too late to matter (a ring for a call that stopped ringing): dropped and counted
  };
  Outcome outcome = Outcome::done;
  std::string error;                   // why, kept in outbox.last_error
  std::chrono::milliseconds delay{0};  // for wait

  static Delivery ok() { return {}; }
  static Delivery later(std::string why) { return {Outcome::retry, std::move(why), {}}; }
  static Delivery wait(std::string why, std::chrono::milliseconds delay) {
    return {Outcome::wait, std::move(why), delay};
  }
  static Delivery give_up(std::string why) { return {Outcome::dead, std::move(why), {}}; }
  static Delivery expired(std::string why) { return {Outcome::expired, std::move(why), {}}; }
};

// How one lane delivers: its own workers, backoff and circuit.
struct LaneOptions {
  int concurrency = 2;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300000};
  // After this many failures in a row the lane stops claiming for breaker_open_for,
  // then lets one message through as a probe; when the probe succeeds the circuit
  // closes and every retry the outage pushed back is due again at once.
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_open_for{5000};
};

struct DispatcherOptions {
  std::chrono::milliseconds poll_interval{500};
  int max_attempts = 20;
  // A claimed message comes back to the queue after this long unless the lane
  // that holds it renews the claim (every third of it, while it works): when
  // the process that claimed it dies mid-delivery, another takes it over then.
  std::chrono::milliseconds lease{30000};
  // The same for the urgent path: a ring held by a dead instance is taken over
  // within this plus one urgent poll.
  std::chrono::milliseconds urgent_lease{3000};
  // Lanes by channel; a channel with handlers but no entry gets LaneOptions{}.
  std::map<Channel, LaneOptions> lanes;
  // The urgent path: its own workers, a short poll for retries and for what a
  // missed notification left, and short backoffs (a ring matters for seconds).
  int urgent_concurrency = 4;
  std::chrono::milliseconds urgent_poll_interval{200};
  std::chrono::milliseconds urgent_backoff_base{250};
  std::chrono::milliseconds urgent_backoff_cap{2000};
};

// What a lane looks like now, on this instance and in the table.
struct LaneStats {
  std::string lane;  // a channel, or "urgent"
  long long pending = 0;
  double oldest_pending_seconds = 0;
  int in_flight = 0;  // on this instance
  common::CircuitBreaker::State circuit = common::CircuitBreaker::State::closed;
};

// Delivers outbox messages through one lane per channel, so that a slow,
// failing or backlogged channel never delays another, and through an urgent
// path for time-critical messages (rings, "stop ringing", door results).
//
// A message is queued in the transaction of its cause (Outbox::enqueue), which
// also notifies the dispatchers on commit (LISTEN/NOTIFY): an urgent message is
// claimed by its id the moment its transaction commits, on workers no backlog
// shares; a lane is woken the same way. Polling finds what a notification
// missed (a restart, another instance's crash). Handlers are registered per
// (channel, payload.kind); messages nobody handles stay queued. Several
// instances share the table: every claim is FOR UPDATE SKIP LOCKED with a lease.
class Dispatcher {
 public:
  using Handler = std::function<Delivery(const nlohmann::json& payload)>;
  // Runs once when a message's retries have run out, just before it is
  // dead-lettered: the place to tell someone that the work will not happen.
  using GivenUp = std::function<void(const nlohmann::json& payload, const std::string& error)>;

  Dispatcher(db::Pool& pool, http::Metrics& metrics, DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Register before start().
  void handle(Channel channel, const std::string& kind, Handler handler, GivenUp given_up = {});
  // Work that is due by time rather than queued (missed calls), run every poll.
  void every_pass(std::function<void()> task);
  // Housekeeping run about every `period` (retention sweeps).
  void every(std::chrono::milliseconds period, std::function<void()> task);
  void start();
  void stop();
  // Looks for due work now on every lane (commits already notify: for tools and tests).
  void wake();
  // Hears commits on the instance's listener (before it starts); without one,
  // lanes find work by polling alone.
  void listen_on(db::Listener& listener);
  // One pass over every lane's due messages on the calling thread; returns how
  // many were handled. For tests and tools, with start() not called.
  int run_once();
  // Every lane's backlog, refreshed every couple of seconds while running.
  std::vector<LaneStats> stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontdoor::notify
