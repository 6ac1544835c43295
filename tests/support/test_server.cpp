#include "test_server.hpp"

#include <stdexcept>
#include <thread>

#include "frontdoor/common/log.hpp"
#include "postgres.hpp"
#include "sandbox_process.hpp"

namespace frontdoor::testing {

ManualClock::ManualClock(common::TimePoint start) : now_(start) {}

common::TimePoint ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::advance(std::chrono::seconds by) {
  std::lock_guard lock(mutex_);
  now_ += by;
}

void ManualClock::set(common::TimePoint to) {
  std::lock_guard lock(mutex_);
  now_ = to;
}

TestServer::TestServer(TestServerOptions options)
    : clock_(std::make_shared<ManualClock>(std::chrono::system_clock::now())) {
  auto& cluster = PostgresCluster::shared();
  database_url_ =
      options.empty_database ? cluster.create_empty_database() : cluster.create_migrated_database();
  app::Config config;
  config.listen.port = 0;
  config.database.url = database_url_;
  // The outbox lanes, the urgent path and housekeeping each take a connection
  // while the test's own requests run: with 4 and a 1 s wait, a test on a
  // loaded 2-core machine failed now and then with database_unavailable in its
  // set-up. The pool's queue is pool_test's subject, not these tests'.
  config.database.pool_size = 8;
  config.database.acquire_timeout_ms = 5000;
  config.http.worker_threads = 4;
  config.http.drain_timeout_ms = 5000;
  config.log.level = "warn";
  config.auth.signing_key = kTestSigningKey;
  config.bmx.token_key = kTestTokenKey;
  if (options.bmx_sandbox) {
    const auto& sandbox = SandboxProcess::shared();
    config.bmx.api_url = sandbox.url();
    config.bmx.accounts_url = sandbox.url();
    config.bmx.client_secret = "sandbox-secret";
    config.bmx.connect_timeout_ms = 500;
    config.bmx.timeout_ms = 2000;
    config.bmx.breaker_open_ms = 500;
    config.outbox.poll_interval_ms = 50;
    config.outbox.breaker_open_ms = 300;
    config.notify.sms_url = sandbox.url();
    config.notify.fcm_url = sandbox.url();
    config.notify.fcm_access_token = "sandbox-fcm-token";
    config.notify.apns_url = sandbox.url();
    config.notify.smtp_url = "smtp://127.0.0.1:" + std::to_string(sandbox.smtp_port());
    // BMX must know where to deliver webhooks before the server starts.
    config.listen.port = free_port();
    config.public_base_url = "http://127.0.0.1:" + std::to_string(config.listen.port);
  }
  if (options.configure) options.configure(config);
  common::log::init(config.log.level);
  app_ = std::make_unique<app::App>(config, clock_);
  if (options.before_start) options.before_start(*app_);
  app_->start();
  // /readyz is 503 until the I/O threads have connected: tests start from a ready server.
  for (int i = 0; i < 400 && !options.empty_database && !app_->reads_connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

TestServer::~TestServer() { app_->shutdown(); }

}  // namespace frontdoor::testing
