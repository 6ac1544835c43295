#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "frontdoor/app/config.hpp"
#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/auth/guarded_routes.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/auth/tokens.hpp"
#include "frontdoor/bmx/client.hpp"
#include "frontdoor/bmx/credentials.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/calls/service.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/listener.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/directory/service.hpp"
#include "frontdoor/http/dispatcher.hpp"
#include "frontdoor/http/idempotency.hpp"
#include "frontdoor/http/metrics.hpp"
#include "frontdoor/http/router.hpp"
#include "frontdoor/http/server.hpp"
#include "frontdoor/notify/deliveries.hpp"
#include "frontdoor/notify/dispatcher.hpp"
#include "frontdoor/notify/gateways.hpp"
#include "frontdoor/notify/outbox.hpp"
#include "frontdoor/passes/pages.hpp"
#include "frontdoor/passes/service.hpp"
#include "frontdoor/people/service.hpp"
#include "frontdoor/properties/service.hpp"
#include "frontdoor/visitors/deny_list.hpp"
#include "frontdoor/visitors/service.hpp"
#include "frontdoor/webhooks/service.hpp"

namespace frontdoor::app {

// The composition root: the only place that knows every module. Tests build
// the same App the binary runs, on port 0, against their own database.
class App {
 public:
  App(Config config, std::shared_ptr<const common::Clock> clock);
  ~App();

  // Throws ConfigError when the configuration cannot serve (see validate_for_serving).
  // Routes may be added until start().
  http::Router& router() { return router_; }
  auth::AuthService& accounts() { return accounts_; }
  db::Pool& pool() { return pool_; }
  http::Metrics& metrics() { return metrics_; }
  notify::Dispatcher& dispatcher() { return outbox_dispatcher_; }
  calls::CallsService& calls() { return calls_; }
  const Config& config() const { return config_; }

  void start();
  std::uint16_t port() const;
  // Drains in-flight requests, then closes the pool.
  void shutdown();
  void run_until_signalled();
  // Every I/O thread has connected to the database at least once (/readyz needs it).
  bool reads_connected() const { return reads_.stats().every_connection_was_ready(); }
  // Deletes what every module keeps only for a while (config `retention.*`).
  void sweep_finished_rows();

 private:
  // The outbox's part of the BMX health view: this property's BMX work and every
  // lane's backlog.
  nlohmann::json outbox_health(const std::string& property_id);
  Config config_;
  std::shared_ptr<const common::Clock> clock_;
  http::Metrics metrics_;
  db::Pool pool_;
  // SIGTERM was received: /readyz answers 503 while requests are still served.
  std::atomic<bool> draining_{false};
  // Single-statement reads on the I/O threads; everything else uses pool_.
  db::AsyncDatabase reads_;
  auth::AccessTokens tokens_;
  auth::Authenticator authenticator_;
  notify::Outbox outbox_;
  audit::AuditTrail audit_;
  auth::AuthService accounts_;
  properties::PropertiesService properties_;
  people::PeopleService people_;
  bmx::TokenCipher token_cipher_;
  std::unique_ptr<bmx::BmxClient> bmx_client_;
  bmx::Credentials bmx_credentials_;
  bmx::BmxService bmx_;
  // The instance's one LISTEN connection: outbox commits and cache invalidations.
  db::Listener listener_;
  notify::Dispatcher outbox_dispatcher_;
  std::unique_ptr<notify::SmsGateway> sms_;
  std::unique_ptr<notify::EmailGateway> email_;
  std::unique_ptr<notify::PushGateway> push_;
  notify::Deliveries deliveries_;
  passes::PassesService passes_;
  passes::PassPages pass_pages_;
  visitors::DenyList deny_list_;
  visitors::VisitorsService visitors_;
  directory::DirectoryService directory_;
  calls::CallsService calls_;
  webhooks::Webhooks webhooks_;
  http::Router router_;
  http::Idempotency idempotency_;
  // Every module's routes, registered with what they need (caller, idempotency).
  auth::Routes routes_;
  http::Dispatcher dispatcher_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace frontdoor::app
