#pragma once

// One outbox lane: a claimer that takes due rows of its channel (or, for the
// urgent lane, urgent rows of any channel and the ids commits announce) and
// workers that deliver them. A lane shares nothing with another but the
// database. Claiming and leases are in claimer.cpp; delivering, recording and
// the circuit in lane.cpp.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "frontdoor/common/circuit_breaker.hpp"
#include "frontdoor/notify/dispatcher.hpp"
#include "store.hpp"

namespace frontdoor::notify {

inline constexpr const char* kRingLatency = "frontdoor_ring_latency_seconds";
inline constexpr const char* kRingLatencyHelp =
    "From a call's commit to the push provider accepting its ring.";

struct Registered {
  Dispatcher::Handler handler;
  Dispatcher::GivenUp given_up;
};

// What every lane of a dispatcher shares.
struct LaneShared {
  db::Pool& pool;
  http::Metrics& metrics;
  const DispatcherOptions& options;
  const std::map<std::string, Registered>& handlers;  // "channel:kind"
};

class Lane {
 public:
  Lane(const LaneShared& shared, std::string name, LaneOptions options, bool urgent);
  ~Lane() { stop(); }
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  const std::string& name() const { return name_; }
  void add_kind(const std::string& key) { keys_.push_back(key); }

  void start();
  void stop();
  void wake();
  // Urgent: a commit announced this message; claim it now.
  void claim_soon(std::string id);
  // Claims and delivers what is due on the calling thread; returns how many.
  int run_once();
  int in_flight() const { return in_flight_; }
  common::CircuitBreaker::State circuit() const { return breaker_.state(); }

 private:
  // claimer.cpp
  void claimer_loop();
  // How many to claim now (0: none, the circuit is open or its probe is out).
  int claimable(int free);
  std::vector<store::Claimed> claim_due(const std::deque<std::string>& announced, int most);
  std::vector<store::Claimed> claim(int most);
  std::vector<store::Claimed> claim_announced(const std::string& id);
  // A claim lasts this long unless renewed: a few seconds on the urgent path,
  // so that another instance takes over a dead one's rings at once.
  std::chrono::milliseconds lease_for() const;
  // Renews the lease of every message this lane holds (claimed, queued or being
  // delivered), a third of a lease before it would lapse.
  void renew_leases();
  void hold(const std::vector<store::Claimed>& claimed);
  void release(const std::string& id);

  // lane.cpp
  // Every series this lane will count, at 0, so that each exists from the start.
  void declare_series();
  void worker_loop();
  void deliver(const store::Claimed& message);
  Delivery outcome_of(const store::Claimed& message, const Registered& registered);
  void record(const store::Claimed& message, const Delivery& result);
  void observe(const store::Claimed& message, double seconds);
  // The circuit: failures in a row open it; a probe's success closes it.
  void after(const Delivery& result);

  const LaneShared& shared_;
  const std::string name_;
  const LaneOptions options_;
  const bool urgent_;
  std::vector<std::string> keys_;  // "channel:kind" this lane handles
  std::string keys_array_;         // the same as a Postgres text[]

  std::mutex mutex_;
  std::condition_variable claimer_wakeup_;
  std::condition_variable work_ready_;
  std::deque<store::Claimed> queue_;
  std::deque<std::string> announced_;
  std::set<std::string> held_;  // ids this lane has claimed and not yet recorded
  std::chrono::steady_clock::time_point next_renewal_{};
  int idle_workers_ = 0;
  bool woken_ = false;
  bool stopping_ = false;
  std::atomic<int> in_flight_{0};
  common::CircuitBreaker breaker_;
  std::thread claimer_;
  std::vector<std::thread> workers_;
};

}  // namespace frontdoor::notify
