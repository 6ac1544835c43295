#pragma once

// One LISTEN connection per instance for every channel the modules listen on
// (the outbox's commits, cache invalidations). NOTIFY reaches every instance on
// commit, so what one instance changes, the others learn within milliseconds.
// While the connection is down nothing is heard: on every (re)connect the
// on_connected hooks run, so that each listener looks again for what it may
// have missed (the outbox polls, a cache forgets everything).
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace frontdoor::db {

class Listener {
 public:
  using Handler = std::function<void(const std::string& payload)>;

  // `url`: libpq connection string; empty: nothing is listened to (start() does nothing).
  explicit Listener(std::string url);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Register before start(). Handlers run on the listener's thread: keep them short.
  void on(const std::string& channel, Handler handler);
  void on_connected(std::function<void()> hook);

  void start();
  void stop();

 private:
  void loop();
  bool stopping() const;

  const std::string url_;
  std::map<std::string, std::vector<Handler>> handlers_;
  std::vector<std::function<void()>> connected_hooks_;
  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace frontdoor::db
