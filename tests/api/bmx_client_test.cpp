// The libcurl BmxClient against the real bmx-sandbox, with tokens kept the way
// frontdoor keeps them (sealed in Postgres): happy paths, token refresh,
// 429/5xx/timeouts, the circuit breaker, and door releases that are never repeated.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "../support/postgres.hpp"
#include "../support/sandbox_process.hpp"
#include "frontdoor/bmx/credentials.hpp"
#include "frontdoor/bmx/http_client.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/metrics.hpp"

namespace frontdoor {
namespace {

using bmx::ErrorKind;
using testing::SandboxProcess;

constexpr const char* kKey = "bc9c333f7d21b2c4db92366a46da44b0be28d7549ee9679e5a74f07c356b8e4d";

class BmxClientTest : public ::testing::Test {
 protected:
  BmxClientTest()
      : sandbox(SandboxProcess::shared()),
        pool({testing::PostgresCluster::shared().create_migrated_database(), 4}),
        cipher("t1", kKey) {
    sandbox.reset();
    building = sandbox.seed_building(nlohmann::json::parse(R"({
      "name": "Maple Court", "admins": ["admin@example.com"],
      "units": [{"label": "101", "tenants": [
        {"first_name": "Ana", "last_name": "Garcia", "email": "ana@example.com"}]}]})"));
    building_id = building["id"];
    tenant_id = building["units"][0]["tenants"][0]["id"];
    access_point_id = building["access_points"][0]["id"];
    make_client({});
  }

  void make_client(const std::function<void(bmx::HttpClientOptions&)>& adjust) {
    bmx::HttpClientOptions options;
    options.api_url = sandbox.url();
    options.accounts_url = sandbox.url();
    options.client_id = "frontdoor";
    options.client_secret = "sandbox-secret";
    options.redirect_uri = "frontdoor://bmx/linked";
    options.timeout = std::chrono::milliseconds(1500);
    options.backoff_base = std::chrono::milliseconds(20);
    options.breaker_failures = 50;
    if (adjust) adjust(options);
    credentials.reset();
    client = bmx::make_http_client(options, metrics);
    credentials = std::make_unique<bmx::Credentials>(pool, cipher, *client, clock);
  }

  // The building admin's sign-in, stored as site set-up stores it.
  std::unique_ptr<bmx::TokenSource> admin_token() {
    const auto grant = client->exchange_code(sandbox.code_for("admin@example.com"));
    const auto id = pool.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      auto stored = credentials->store(tx, grant);
      tx.commit();
      return stored;
    });
    return credentials->source(id, "");
  }

  std::size_t calls_to(const std::string& prefix) { return sandbox.requests(prefix).size(); }

  SandboxProcess& sandbox;
  db::Pool pool;
  bmx::TokenCipher cipher;
  common::SystemClock clock;
  http::Metrics metrics;
  std::unique_ptr<bmx::BmxClient> client;
  std::unique_ptr<bmx::Credentials> credentials;
  nlohmann::json building;
  std::int64_t building_id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t access_point_id = 0;
};

TEST_F(BmxClientTest, HappyPathsSpeakTheSandboxsV4) {
  auto as = admin_token();
  EXPECT_EQ(client->get_building(*as, building_id).name, "Maple Court");
  auto tenants = client->find_tenants(*as, {"ana@example.com", building_id, std::nullopt});
  ASSERT_EQ(tenants.size(), 1u);
  EXPECT_EQ(tenants[0].contact_preference, "mobile_app");
  EXPECT_EQ(client->get_tenant(*as, tenant_id).first_name, "Ana");

  const auto now = std::chrono::system_clock::now();
  auto keychain = client->create_keychain(
      *as, {"custom", "Visit", tenant_id, now, now + std::chrono::hours(2), {access_point_id}});
  EXPECT_TRUE(keychain.virtual_key_ids.empty());
  auto key = client->create_virtual_key(*as, {keychain.id, "Guest", std::nullopt, "+15550001111"});
  EXPECT_EQ(key.pin_code.size(), 6u);
  EXPECT_EQ(client->get_virtual_key(*as, key.id).usage_count, 0);
  EXPECT_EQ(sandbox.messages("sms", "+15550001111").size(), 1u);  // BMX sent it
  client->delete_virtual_key(*as, key.id);
  client->delete_keychain(*as, keychain.id);
  try {
    client->get_virtual_key(*as, key.id);
    FAIL() << "a deleted key was still there";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::not_found);
  }

  EXPECT_GT(client->release_door(*as, tenant_id, access_point_id).id, 0);
  auto hook = client->create_building_webhook(*as, building_id, "http://127.0.0.1:1/hook");
  EXPECT_EQ(client->list_building_integrations(*as, building_id).at(0).url,
            "http://127.0.0.1:1/hook");
  client->delete_building_integration(*as, building_id, hook.id);
  EXPECT_TRUE(client->list_building_integrations(*as, building_id).empty());
}

// A keychain whose creation was interrupted is found again by its name with the
// published filter: one request, however many keychains the account can see.
TEST_F(BmxClientTest, KeychainsAreFoundByNameWithOneFilteredRequest) {
  auto as = admin_token();
  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < 150; ++i) {
    client->create_keychain(*as, {"custom",
                                  "other visit " + std::to_string(i),
                                  tenant_id,
                                  now,
                                  now + std::chrono::hours(2),
                                  {}});
  }
  const auto wanted = client->create_keychain(
      *as, {"custom", "frontdoor pass 42", tenant_id, now, now + std::chrono::hours(2), {}});
  const auto lists = [&] {
    std::vector<nlohmann::json> found;
    for (const auto& request : sandbox.requests("/v4/keychains")) {
      if (request["method"] == "GET" && request["path"] == "/v4/keychains")
        found.push_back(request);
    }
    return found;
  };
  const auto before = lists().size();
  const auto found = client->find_keychains(*as, "frontdoor pass 42");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, wanted.id);
  const auto after = lists();
  ASSERT_EQ(after.size(), before + 1) << "more than one page was read";
  EXPECT_NE(after.back()["query"].get<std::string>().find("q%5Bname_eq%5D=frontdoor"),
            std::string::npos)
      << after.back();
  // A tenant is found by e-mail within its building, and nobody else is taken for it.
  EXPECT_TRUE(client->find_tenants(*as, {"nobody@example.com", building_id, std::nullopt}).empty());
}

TEST_F(BmxClientTest, BmxRefusalsCarryBmxsOwnCodes) {
  auto as = admin_token();
  const auto now = std::chrono::system_clock::now();
  try {
    client->create_keychain(
        *as, {"custom", "Backwards", tenant_id, now + std::chrono::hours(2), now, {}});
    FAIL() << "BMX accepted a window that ends before it starts";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::rejected);
    EXPECT_EQ(error.status(), 502);
    ASSERT_FALSE(error.bmx_errors().empty());
    EXPECT_EQ(error.bmx_errors()[0].code, "start_time_must_be_before_the_end_time");
  }
  EXPECT_THROW(client->exchange_code("never-issued"), bmx::BmxError);
}

TEST_F(BmxClientTest, AnExpiredTokenIsRefreshedOnceEvenByConcurrentCallers) {
  auto as = admin_token();
  EXPECT_EQ(client->get_building(*as, building_id).id, building_id);
  client->get_building(*as, building_id);
  sandbox.client().post("/_sandbox/oauth/expire", "");
  const auto refreshes_before = calls_to("/oauth/token");

  std::vector<std::thread> callers;
  std::atomic<int> succeeded{0};
  for (int i = 0; i < 4; ++i) {
    callers.emplace_back([&] {
      try {
        if (client->get_building(*as, building_id).id == building_id) ++succeeded;
      } catch (const std::exception&) {
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(succeeded.load(), 4);
  EXPECT_EQ(calls_to("/oauth/token") - refreshes_before, 1u);
  // The rotated pair was stored: a later caller needs no refresh.
  client->get_building(*as, building_id);
  EXPECT_EQ(calls_to("/oauth/token") - refreshes_before, 1u);
}

TEST_F(BmxClientTest, ARefusedRefreshMeansSignInAgain) {
  auto as = admin_token();
  // Another party spends the refresh token (as BMX does when the user revokes access).
  sandbox.client().post("/_sandbox/oauth/expire", "");
  sandbox.fault({{"path_prefix", "/oauth/token"}, {"status", 401}});
  try {
    client->get_building(*as, building_id);
    FAIL() << "a dead sign-in still worked";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::unauthorized);
  }
  // The credential is revoked: later calls fail at once, without asking BMX.
  const auto calls = calls_to("/v4");
  EXPECT_THROW(client->get_building(*as, building_id), bmx::BmxError);
  EXPECT_EQ(calls_to("/v4"), calls);
}

TEST_F(BmxClientTest, RateLimitsAreWaitedOutAsBmxAsks) {
  auto as = admin_token();
  sandbox.fault({{"path_prefix", "/v4/buildings"}, {"status", 429}, {"retry_after", 1}});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client->get_building(*as, building_id).id, building_id);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(calls_to("/v4/buildings"), 2u);

  // A Retry-After beyond what a request can wait for is not waited for.
  sandbox.fault({{"path_prefix", "/v4/buildings"}, {"status", 429}, {"retry_after", 600}});
  try {
    client->get_building(*as, building_id);
    FAIL() << "a 429 with a ten-minute Retry-After was waited out";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::rate_limited);
  }
}

TEST_F(BmxClientTest, ServerErrorsAreRetriedThenGivenUp) {
  auto as = admin_token();
  sandbox.fault({{"path_prefix", "/v4/buildings"}, {"status", 502}, {"times", 1}});
  EXPECT_EQ(client->get_building(*as, building_id).id, building_id);  // second attempt
  sandbox.fault({{"path_prefix", "/v4/buildings"}, {"status", 503}, {"times", 10}});
  const auto before = calls_to("/v4/buildings");
  try {
    client->get_building(*as, building_id);
    FAIL() << "BMX failed every time but the call succeeded";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::unavailable);
    EXPECT_EQ(error.status(), 503);
  }
  EXPECT_EQ(calls_to("/v4/buildings") - before, 3u);  // max_attempts
}

TEST_F(BmxClientTest, ASlowBmxTimesOut) {
  make_client([](bmx::HttpClientOptions& options) {
    options.timeout = std::chrono::milliseconds(300);
    options.max_attempts = 2;
  });
  auto as = admin_token();
  sandbox.fault({{"path_prefix", "/v4/tenants"}, {"delay_ms", 1500}, {"times", 2}});
  try {
    client->get_tenant(*as, tenant_id);
    FAIL() << "a call outlived its timeout";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::timeout);
    EXPECT_EQ(error.status(), 504);
  }
  EXPECT_EQ(calls_to("/v4/tenants"), 2u);
}

TEST_F(BmxClientTest, TheCircuitOpensAndRecovers) {
  make_client([](bmx::HttpClientOptions& options) {
    options.max_attempts = 1;
    options.breaker_failures = 3;
    options.breaker_open_for = std::chrono::milliseconds(400);
  });
  auto as = admin_token();
  sandbox.fault({{"path_prefix", "/v4/buildings"}, {"status", 500}, {"times", 3}});
  for (int i = 0; i < 3; ++i) EXPECT_THROW(client->get_building(*as, building_id), bmx::BmxError);
  EXPECT_EQ(client->circuit_state(), "open");
  const auto calls = calls_to("/v4/buildings");
  try {
    client->get_building(*as, building_id);
    FAIL() << "an open circuit let a call through";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::unavailable);
  }
  EXPECT_EQ(calls_to("/v4/buildings"), calls);  // refused without asking BMX

  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(client->circuit_state(), "half_open");
  EXPECT_EQ(client->get_building(*as, building_id).id, building_id);  // the probe
  EXPECT_EQ(client->circuit_state(), "closed");
}

TEST_F(BmxClientTest, ADoorReleaseThatTimesOutIsReportedAndNotRepeated) {
  make_client(
      [](bmx::HttpClientOptions& options) { options.timeout = std::chrono::milliseconds(300); });
  auto as = admin_token();
  sandbox.fault({{"method", "POST"},
                 {"path_prefix", "/v4/door_release_requests"},
                 {"delay_ms", 1000},
                 {"times", 5}});
  try {
    client->release_door(*as, tenant_id, access_point_id);
    FAIL() << "a door release outlived its timeout";
  } catch (const bmx::BmxError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::timeout);
  }
  EXPECT_EQ(calls_to("/v4/door_release_requests"), 1u);

  sandbox.client().send("DELETE", "/_sandbox/faults", "", {});
  sandbox.fault({{"path_prefix", "/v4/door_release_requests"}, {"status", 503}, {"times", 5}});
  EXPECT_THROW(client->release_door(*as, tenant_id, access_point_id), bmx::BmxError);
  EXPECT_EQ(calls_to("/v4/door_release_requests"), 2u);  // one more, not three
}

TEST_F(BmxClientTest, MetricsCountEveryOperationByOutcome) {
  auto as = admin_token();
  client->get_building(*as, building_id);
  EXPECT_THROW(client->get_tenant(*as, 1), bmx::BmxError);
  const auto text = metrics.render();
  EXPECT_NE(text.find("frontdoor_outbound_requests_total{operation=\"get_building\",outcome=\"ok\","
                      "system=\"bmx\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("operation=\"get_tenant\",outcome=\"not_found\""), std::string::npos);
}

}  // namespace
}  // namespace frontdoor
