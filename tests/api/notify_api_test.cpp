// The outbox and the real gateways against bmx-sandbox's providers: e-mail over
// SMTP with both parts, SMS, Android and iOS (VoIP) pushes, dead device tokens,
// retries through a provider outage, and dead letters in metrics and the audit trail.
#include <gtest/gtest.h>

#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"
#include "frontdoor/notify/outbox.hpp"

namespace frontdoor {
namespace {

using testing::SandboxProcess;
using testing::TestServer;
using testing::World;

class NotifyApi : public ::testing::Test {
 protected:
  NotifyApi()
      : sandbox(SandboxProcess::shared()),
        server(testing::TestServerOptions{
            .configure = [](app::Config& config) { config.outbox.max_attempts = 2; },
            .bmx_sandbox = true}),
        world(server) {
    sandbox.reset();
  }

  // Queues a message the way a module does: in a transaction, then a wake-up.
  void queue(const notify::OutboxMessage& message) {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    tx.exec_params("INSERT INTO outbox (channel, dedupe_key, payload) VALUES ($1, $2, $3::jsonb)",
                   std::string(common::name_of(message.channel)), message.dedupe_key,
                   message.payload.dump());
    tx.commit();
    server.app().dispatcher().wake();
  }

  std::string status_of(const std::string& dedupe_key) {
    std::string status;
    for (int i = 0; i < 200; ++i) {
      status = query("SELECT status FROM outbox WHERE dedupe_key = '" + dedupe_key + "'");
      if (status != "pending") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return status;
  }

  std::string query(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
};

TEST_F(NotifyApi, EmailGoesOverSmtpWithTextAndHtml) {
  queue(notify::email_message("e1", "guest@example.com", "Welcome to Maple Court",
                              "Hello Gu\u00e9st,\n.\nA line that starts with a dot.",
                              "<p>Hello Gu\u00e9st</p>"));
  EXPECT_EQ(status_of("e1"), "sent");
  auto mail = sandbox.messages("email", "guest@example.com");
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0]["subject"], "Welcome to Maple Court");
  EXPECT_EQ(mail[0]["body"], "Hello Gu\u00e9st,\n.\nA line that starts with a dot.");
  EXPECT_EQ(mail[0]["data"]["html"], "<p>Hello Gu\u00e9st</p>");
}

// Text stored before names were checked (or from anywhere else) still cannot
// add headers: every header value is built on one line, non-ASCII encoded.
TEST_F(NotifyApi, AHeaderValueNeverBreaksIntoAnotherHeader) {
  queue(notify::email_message("e2", "guest@example.com",
                              "Inject\r\nBcc: thief@example.com\nX-Evil: 1 from Chlo\u00e9",
                              "Hello"));
  EXPECT_EQ(status_of("e2"), "sent");
  auto mail = sandbox.messages("email", "guest@example.com");
  ASSERT_EQ(mail.size(), 1u);
  std::set<std::string> headers;
  for (const auto& name : mail[0]["data"]["headers"]) headers.insert(name.get<std::string>());
  EXPECT_EQ(headers.count("bcc"), 0u) << mail[0].dump();
  EXPECT_EQ(headers.count("x-evil"), 0u) << mail[0].dump();
  EXPECT_EQ(mail[0]["subject"], "Inject  Bcc: thief@example.com X-Evil: 1 from Chlo\u00e9");
  EXPECT_TRUE(sandbox.messages("email", "thief@example.com").empty());
  // An SMS and a push are one line too.
  queue(notify::sms_message("s9", "+15550009998", "Line one\r\nline two"));
  EXPECT_EQ(status_of("s9"), "sent");
  EXPECT_EQ(sandbox.messages("sms", "+15550009998")[0]["body"], "Line one  line two");
}

TEST_F(NotifyApi, SmsGoesThroughTheMessagesApi) {
  queue(notify::sms_message("s1", "+15550009999", "Your pass: http://x/p/1"));
  EXPECT_EQ(status_of("s1"), "sent");
  auto sms = sandbox.messages("sms", "+15550009999");
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0]["body"], "Your pass: http://x/p/1");
  EXPECT_EQ(sms[0]["data"]["from"], "+15550000000");
}

TEST_F(NotifyApi, APushReachesEveryDeviceAndACallRingsThroughVoip) {
  auto resident = world.resident(world.property("push"));
  world.client().post("/v1/me/devices", testing::iphone("token-1"), resident.auth());
  world.client().post("/v1/me/devices", R"({"platform":"android","push_token":"fcm-token-1"})",
                      resident.auth());
  queue(notify::push_message("p1", resident.user_id, "Visitor at the door", "Ring ring",
                             {{"call_id", "c1"}}, true));
  EXPECT_EQ(status_of("p1"), "sent");
  auto ios = sandbox.messages(
      "push", testing::apns_token("voip-token-1"));  // the VoIP token, not the alert one
  ASSERT_EQ(ios.size(), 1u);
  EXPECT_EQ(ios[0]["data"]["push_type"], "voip");
  EXPECT_EQ(ios[0]["data"]["topic"], "com.frontdoor.resident.voip");
  EXPECT_EQ(ios[0]["data"]["payload"]["call_id"], "c1");
  auto android = sandbox.messages("push", "fcm-token-1");
  ASSERT_EQ(android.size(), 1u);
  EXPECT_EQ(android[0]["data"]["priority"], "high");
  EXPECT_EQ(query("SELECT string_agg(last_push_outcome, ',') FROM devices"), "sent,sent");

  // A ring that could not go out before the call ended is dropped as expired:
  // neither retried nor a dead letter.
  queue(notify::push_message("p2", resident.user_id, "t", "b", nlohmann::json::object(), true,
                             "2000-01-01T00:00:00Z"));
  EXPECT_EQ(status_of("p2"), "expired");
}

TEST_F(NotifyApi, ADeadDeviceTokenIsForgotten) {
  auto resident = world.resident(world.property("dead"));
  world.client().post("/v1/me/devices", R"({"platform":"android","push_token":"dead-fcm-1"})",
                      resident.auth());
  // APNs tokens are hex: "dead" is how the sandbox knows to call this one unregistered.
  world.client().post("/v1/me/devices",
                      nlohmann::json{{"platform", "ios"},
                                     {"push_token", "dead" + testing::apns_token("1").substr(4)}}
                          .dump(),
                      resident.auth());
  queue(notify::push_message("p3", resident.user_id, "t", "b", nlohmann::json::object(), false));
  EXPECT_EQ(status_of("p3"), "sent");
  EXPECT_EQ(query("SELECT count(*) FROM devices"), "0");
}

TEST_F(NotifyApi, AProviderOutageIsRetriedAndAFinalRefusalIsDeadLettered) {
  sandbox.fault({{"path_prefix", "/2010-04-01"}, {"status", 503}, {"times", 1}});
  queue(notify::sms_message("s2", "+15550008888", "hello"));
  // The first attempt failed; the retry waits for its backoff.
  for (int i = 0; i < 200 && query("SELECT last_error FROM outbox WHERE dedupe_key = 's2'").empty();
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_NE(query("SELECT last_error FROM outbox WHERE dedupe_key = 's2'"), "");
  query("UPDATE outbox SET next_attempt_at = now() WHERE dedupe_key = 's2' RETURNING 1");
  server.app().dispatcher().wake();
  EXPECT_EQ(status_of("s2"), "sent");
  EXPECT_EQ(sandbox.messages("sms", "+15550008888").size(), 1u);

  // The provider refuses for good: no retry, a dead letter someone will see.
  const auto property = world.property("letters");
  sandbox.fault({{"path_prefix", "/2010-04-01"}, {"status", 400}, {"times", 5}});
  queue(notify::sms_message("s3", "+15550007777", "hello", property));
  EXPECT_EQ(status_of("s3"), "dead");
  EXPECT_EQ(query("SELECT count(*) FROM audit_events WHERE action = 'outbox.dead_lettered' "
                  "AND property_id = '" +
                  property + "'"),
            "1");
  const auto metrics = world.client().get("/metrics").body;
  EXPECT_NE(metrics.find("frontdoor_outbox_dead_total{kind=\"sms:\",lane=\"sms\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("system=\"sms\""), std::string::npos);
}

TEST_F(NotifyApi, RetriesStopAtTheConfiguredAttempts) {
  sandbox.fault({{"path_prefix", "/2010-04-01"}, {"status", 503}, {"times", 100}});
  queue(notify::sms_message("s4", "+15550006666", "hello"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    query("UPDATE outbox SET next_attempt_at = now() WHERE dedupe_key = 's4' RETURNING 1");
    server.app().dispatcher().run_once();
  }
  EXPECT_EQ(status_of("s4"), "dead");
  EXPECT_EQ(query("SELECT attempts FROM outbox WHERE dedupe_key = 's4'"), "2");
  EXPECT_TRUE(sandbox.messages("sms", "+15550006666").empty());
}

TEST(NotifyGiveUp, TheGiveUpStepRunsOnceWhenRetriesRunOut) {
  std::mutex mutex;
  std::vector<std::pair<nlohmann::json, std::string>> given_up;
  TestServer server(testing::TestServerOptions{
      .configure = [](app::Config& config) { config.outbox.max_attempts = 2; },
      .before_start =
          [&](app::App& app) {
            app.dispatcher().handle(
                notify::Channel::bmx, "flaky_test",
                [](const nlohmann::json&) { return notify::Delivery::later("still down"); },
                [&](const nlohmann::json& payload, const std::string& error) {
                  std::lock_guard lock(mutex);
                  given_up.emplace_back(payload, error);
                });
          }});
  {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    tx.exec(
        "INSERT INTO outbox (channel, dedupe_key, payload) "
        "VALUES ('bmx', 'flaky-1', '{\"kind\":\"flaky_test\",\"n\":1}')");
    tx.commit();
  }
  std::string status;
  for (int i = 0; i < 200 && status != "dead"; ++i) {
    status = testing::query_value(server.database_url(),
                                  "UPDATE outbox SET next_attempt_at = now() "
                                  "WHERE dedupe_key = 'flaky-1' RETURNING status");
    server.app().dispatcher().run_once();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  status = testing::query_value(server.database_url(),
                                "SELECT status FROM outbox WHERE dedupe_key = 'flaky-1'");
  EXPECT_EQ(status, "dead");
  std::lock_guard lock(mutex);
  ASSERT_EQ(given_up.size(), 1u);
  EXPECT_EQ(given_up[0].first["n"], 1);
  EXPECT_EQ(given_up[0].second, "still down");
}

// Tables stay bounded: what is finished goes after its retention, what is not stays.
TEST_F(NotifyApi, FinishedRowsAreSweptAfterTheirRetention) {
  const auto admin = world.admin();
  const auto property = world.property("sweep");
  pqxx::connection connection(server.database_url());
  pqxx::work tx(connection);
  const auto ago = [](const char* interval) {
    return std::string("now() - interval '") + interval + "'";
  };
  const auto outbox = [&](const std::string& key, const std::string& status,
                          const std::string& finished) {
    tx.exec(
        "INSERT INTO outbox (channel, dedupe_key, payload, status, finished_at, created_at) "
        "VALUES ('sms', '" +
        key + "', '{\"to\": \"+15550000000\"}', '" + status + "', " + finished +
        ", now() - interval '40 days')");
  };
  outbox("sent-old", "sent", ago("8 days"));
  outbox("sent-new", "sent", ago("1 day"));
  outbox("expired-old", "expired", ago("8 days"));
  outbox("dead-old", "dead", ago("31 days"));
  outbox("dead-new", "dead", ago("10 days"));
  tx.exec(
      "INSERT INTO outbox (channel, dedupe_key, payload, next_attempt_at, created_at) VALUES "
      "('bmx', 'pending-old', '{\"kind\": \"never_handled\"}', now() + interval '1 day', "
      "now() - interval '40 days')");
  tx.exec(
      "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES "
      "('user:x', 'old', 'h', " +
      ago("3 days") + "), ('user:x', 'new', 'h', " + ago("1 hour") + ")");
  tx.exec("INSERT INTO login_failures (key, window_start, failures) VALUES ('address:old', " +
          ago("2 days") + ", 3), ('address:new', now(), 3)");
  tx.exec_params(
      "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, used_at) VALUES "
      "('expired-old', $1, gen_random_uuid(), now() - interval '8 days', NULL), "
      "('expired-new', $1, gen_random_uuid(), now() - interval '1 day', NULL), "
      "('used-valid', $1, gen_random_uuid(), now() + interval '20 days', now())",
      admin.user_id);
  tx.exec_params(
      "INSERT INTO invite_tokens (token_hash, user_id, expires_at, used_at) VALUES "
      "('used-old', $1, now() + interval '1 day', now() - interval '8 days'), "
      "('open', $1, now() + interval '5 days', NULL)",
      admin.user_id);
  tx.exec_params(
      "INSERT INTO bmx_link_states (state_hash, user_id, expires_at, property_id) VALUES "
      "('state-old', $1, now() - interval '2 days', $2), ('state-new', $1, now() + "
      "interval '10 minutes', $2)",
      admin.user_id, property);
  tx.commit();

  server.app().sweep_finished_rows();
  const auto keys = [&](const std::string& sql) {
    return query("SELECT string_agg(k, ',' ORDER BY k) FROM (" + sql + ") s(k)");
  };
  EXPECT_EQ(keys("SELECT dedupe_key FROM outbox WHERE dedupe_key NOT LIKE 'invite:%' AND "
                 "dedupe_key NOT LIKE 'added:%'"),
            "dead-new,pending-old,sent-new");
  EXPECT_EQ(keys("SELECT key FROM idempotency_keys"), "new");
  EXPECT_EQ(keys("SELECT key FROM login_failures WHERE key LIKE 'address:%'"), "address:new");
  EXPECT_EQ(keys("SELECT token_hash FROM refresh_tokens WHERE length(token_hash) < 20"),
            "expired-new,used-valid");
  EXPECT_EQ(keys("SELECT token_hash FROM invite_tokens WHERE length(token_hash) < 20"), "open");
  EXPECT_EQ(keys("SELECT state_hash FROM bmx_link_states"), "state-new");
}

}  // namespace
}  // namespace frontdoor
