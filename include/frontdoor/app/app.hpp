#pragma once

#include <cstdint>
#include <memory>

#include "frontdoor/app/config.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/dispatcher.hpp"
#include "frontdoor/http/metrics.hpp"
#include "frontdoor/http/router.hpp"
#include "frontdoor/http/server.hpp"

namespace frontdoor::app {

// The composition root: the only place that knows every module. Tests build
// the same App the binary runs, on port 0, against their own database.
class App {
 public:
  App(Config config, std::shared_ptr<const common::Clock> clock);
  ~App();

  // Routes may be added until start().
  http::Router& router() { return router_; }
  db::Pool& pool() { return pool_; }
  http::Metrics& metrics() { return metrics_; }
  const Config& config() const { return config_; }

  void start();
  std::uint16_t port() const;
  // Drains in-flight requests, then closes the pool.
  void shutdown();
  void run_until_signalled();

 private:
  Config config_;
  std::shared_ptr<const common::Clock> clock_;
  http::Metrics metrics_;
  db::Pool pool_;
  http::Router router_;
  http::Dispatcher dispatcher_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace frontdoor::app
