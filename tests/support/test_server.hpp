#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "frontdoor/app/app.hpp"
#include "frontdoor/common/clock.hpp"
#include "http_client.hpp"

namespace frontdoor::testing {

// A clock the test moves by hand.
class ManualClock final : public common::Clock {
 public:
  explicit ManualClock(common::TimePoint start);
  common::TimePoint now() const override;
  void advance(std::chrono::seconds by);
  void set(common::TimePoint to);

 private:
  mutable std::mutex mutex_;
  common::TimePoint now_;
};

// The test server's secrets: a process started beside it over the same database
// (another instance) must use the same ones to accept its tokens and open its seals.
inline constexpr const char* kTestSigningKey = "test-signing-key-0123456789abcdef0123456789";
inline constexpr const char* kTestTokenKey =
    "b3cb0009bbfc2541d352591d26f21507fe0e9e85d23475ac458107d412083e9b";

struct TestServerOptions {
  // Adjust the configuration (limits, timeouts) before the App is built.
  std::function<void(app::Config&)> configure;
  // Add test-only routes or seed data before the server starts.
  std::function<void(app::App&)> before_start;
  // Use an unmigrated database instead of a fresh migrated copy.
  bool empty_database = false;
  // Talk to the binary's bmx-sandbox process (and let it reach this server's
  // webhooks), with short timeouts and a fast outbox.
  bool bmx_sandbox = false;
};

// The real App, on 127.0.0.1 and a free port, with its own fresh database
// in the binary's private Postgres.
class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();

  app::App& app() { return *app_; }
  HttpClient client() const { return HttpClient(app_->port()); }
  const std::string& database_url() const { return database_url_; }
  ManualClock& clock() { return *clock_; }

 private:
  std::string database_url_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<app::App> app_;
};

}  // namespace frontdoor::testing
