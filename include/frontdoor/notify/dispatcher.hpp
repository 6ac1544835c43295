#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace frontdoor::db {
class Pool;
}
namespace frontdoor::http {
class Metrics;
}

namespace frontdoor::notify {

struct Delivery {
  enum class Outcome { done, retry, dead, expired };
  Outcome outcome = Outcome::done;
  std::string error;  // for retry, dead and expired: why, kept in outbox.last_error

  static Delivery ok() { return {}; }
  static Delivery later(std::string why) { return {Outcome::retry, std::move(why)}; }
  static Delivery give_up(std::string why) { return {Outcome::dead, std::move(why)}; }
  // Too late to matter (a ring for a call that stopped ringing): dropped and
  // counted, neither sent nor a dead letter.
  static Delivery expired(std::string why) { return {Outcome::expired, std::move(why)}; }
};

struct DispatcherOptions {
  std::chrono::milliseconds poll_interval{500};
  int batch_size = 16;
  int max_attempts = 20;
  // A claimed message comes back to the queue after this long, e.g. when the
  // process that claimed it died mid-delivery.
  std::chrono::milliseconds lease{60000};
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{300000};
};

// Delivers outbox messages. Handlers are registered per (channel, payload.kind);
// messages nobody handles stay queued. Several dispatchers (threads or
// processes) can run at once: each claims its batch with FOR UPDATE SKIP LOCKED
// and a lease. Failures are retried with exponential backoff until max_attempts,
// then the message is dead-lettered (status 'dead'), counted in
// frontdoor_outbox_dead_total and written to the audit trail.
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
  void handle(const std::string& channel, const std::string& kind, Handler handler,
              GivenUp given_up = {});
  // Work that is due by time rather than queued (missed calls), run on every pass.
  void every_pass(std::function<void()> task);
  void start();
  void stop();
  // Asks for a pass now rather than at the next poll (after a commit that queued work).
  void wake();
  // One pass over due messages; returns how many were handled. For tests and tools.
  int run_once();

 private:
  void loop();
  void give_up(const std::string& key, const nlohmann::json& payload, const std::string& error);

  db::Pool& pool_;
  http::Metrics& metrics_;
  DispatcherOptions options_;
  struct Registered {
    Handler handler;
    GivenUp given_up;
  };
  std::map<std::string, Registered> handlers_;  // "channel:kind"
  std::vector<std::function<void()>> periodic_;
  std::string handled_keys_;  // the same keys as a Postgres array literal
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace frontdoor::notify
