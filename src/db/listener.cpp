#include "frontdoor/db/listener.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/log.hpp"

namespace frontdoor::db {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& connection, const std::string& channel,
           const std::vector<Listener::Handler>& handlers)
      : pqxx::notification_receiver(connection, channel), handlers_(handlers) {}
  void operator()(const std::string& payload, int) override {
    for (const auto& handler : handlers_) handler(payload);
  }

 private:
  const std::vector<Listener::Handler>& handlers_;
};

}  // namespace

Listener::Listener(std::string url) : url_(std::move(url)) {}

Listener::~Listener() { stop(); }

void Listener::on(const std::string& channel, Handler handler) {
  handlers_[channel].push_back(std::move(handler));
}

void Listener::on_connected(std::function<void()> hook) {
  connected_hooks_.push_back(std::move(hook));
}

void Listener::start() {
  if (url_.empty() || handlers_.empty() || thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void Listener::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Listener::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Listener::loop() {
  while (!stopping()) {
    try {
      pqxx::connection connection(url_);
      std::vector<std::unique_ptr<Receiver>> receivers;
      for (const auto& [channel, handlers] : handlers_) {
        receivers.push_back(std::make_unique<Receiver>(connection, channel, handlers));
      }
      for (const auto& hook : connected_hooks_) hook();
      while (!stopping()) connection.await_notification(0, 200000);
      return;
    } catch (const std::exception& failure) {
      common::log::warn("database listener lost its connection", {{"error", failure.what()}});
    }
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

}  // namespace frontdoor::db
