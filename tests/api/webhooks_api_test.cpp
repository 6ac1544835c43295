// Integrators' webhooks through the real server, delivered over real HTTP to
// bmx-sandbox's webhook sink: signatures (and rotation), the retry schedule on the
// injected clock, refusals of internal targets, the deliveries log and
// redelivery, transactions that roll back, and who may manage them.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "../support/eventually.hpp"
#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"
#include "frontdoor/common/random.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::eventually;
using testing::HttpResponse;
using testing::SandboxProcess;
using testing::TestServer;
using testing::World;

testing::TestServerOptions development_server() {
  return {.configure =
              [](app::Config& config) {
                // The sink runs on 127.0.0.1 over plain http, as in scripts/run.
                config.webhooks.allow_http = "true";
                config.webhooks.allow_internal_addresses = "true";
              },
          .bmx_sandbox = true};
}

class WebhooksApi : public ::testing::Test {
 protected:
  explicit WebhooksApi(testing::TestServerOptions options = development_server())
      : sandbox(SandboxProcess::shared()), server(std::move(options)), world(server) {
    sandbox.reset();
    server.clock().set(std::chrono::system_clock::now());
    admin = world.admin();
    property = world.property("elm");
    manager = world.staff(property, "manager");
  }

  // Access tokens expire by the injected clock too: after a jump of hours, sign in again.
  void sign_in_again() {
    admin = world.login(admin.email, admin.password);
    manager = world.login(manager.email, manager.password);
  }

  std::string base() const { return "/v1/properties/" + property + "/webhooks"; }
  std::string sink_url(const std::string& name) const {
    return sandbox.url() + "/_sandbox/webhook-sink/" + name;
  }

  HttpResponse subscribe(const Account& who, const nlohmann::json& body) {
    return world.client().post(base(), body.dump(), who.auth());
  }

  // A subscription to the sink `name`, which checks signatures with its secret.
  nlohmann::json subscribe_sink(const std::string& name,
                                const nlohmann::json& events = {"settings.changed"}) {
    auto created = subscribe(manager, {{"url", sink_url(name)}, {"events", events}});
    EXPECT_EQ(created.status, 201) << created.body;
    sink_secrets(name, {created.json().value("secret", "")});
    return created.json();
  }

  void sink_secrets(const std::string& name, const std::vector<std::string>& secrets) {
    sandbox.client().send("PUT", "/_sandbox/webhook-sink/" + name,
                          nlohmann::json{{"secrets", secrets}}.dump(), {});
  }

  nlohmann::json received(const std::string& name) {
    return sandbox.client().get("/_sandbox/webhook-sink/" + name).json()["data"];
  }

  // An audited change the subscriptions hear about.
  void change_settings(int ring_timeout_seconds) {
    auto changed = world.client().send(
        "PATCH", "/v1/properties/" + property + "/settings",
        nlohmann::json{{"ring_timeout_seconds", ring_timeout_seconds}}.dump(), admin.auth());
    ASSERT_EQ(changed.status, 200) << changed.body;
  }

  nlohmann::json deliveries(const std::string& subscription_id) {
    return world.client()
        .get(base() + "/" + subscription_id + "/deliveries", manager.auth())
        .json()["data"];
  }

  std::string query(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  // The webhook lane looks again now, as if its retry were due by the database's clock.
  void nudge_outbox() {
    query(
        "UPDATE outbox SET next_attempt_at = now() WHERE channel = 'webhook' AND status = "
        "'pending' RETURNING 1");
    server.app().dispatcher().wake();
  }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
  Account admin;
  std::string property;
  Account manager;
};

TEST_F(WebhooksApi, ADeliveryIsSignedWithTheSubscriptionsSecret) {
  const auto subscription = subscribe_sink("signed");
  EXPECT_TRUE(subscription["secret"].get<std::string>().starts_with("whsec_"));
  EXPECT_EQ(subscription["events"], nlohmann::json({"settings.changed"}));
  // Another receiver that knows only some other secret.
  auto other = subscribe(manager, {{"url", sink_url("other")}, {"events", {"*"}}});
  ASSERT_EQ(other.status, 201) << other.body;
  sink_secrets("other", {"whsec_not-the-secret"});

  change_settings(45);
  ASSERT_TRUE(eventually([&] { return received("signed").size() == 1; }));
  auto got = received("signed")[0];
  EXPECT_EQ(got["signature_valid"], true) << got.dump();
  EXPECT_EQ(got["body"]["type"], "settings.changed");
  EXPECT_EQ(got["body"]["property_id"], property);
  EXPECT_EQ(got["body"]["id"], got["event_id"]);
  EXPECT_EQ(got["body"]["data"]["details"]["after"]["ring_timeout_seconds"], 45) << got.dump();

  // The receiver's own check, as the README shows it: HMAC over "<t>.<raw body>".
  const std::string header = got["signature"];
  const auto t = header.substr(2, header.find(',') - 2);
  const auto v1 = header.substr(header.find("v1=") + 3);
  EXPECT_EQ(v1, common::hmac_sha256_hex(subscription["secret"].get<std::string>(),
                                        t + "." + got["raw_body"].get<std::string>()));
  EXPECT_NE(v1, common::hmac_sha256_hex("whsec_not-the-secret",
                                        t + "." + got["raw_body"].get<std::string>()));

  ASSERT_TRUE(eventually([&] { return received("other").size() == 1; }));
  EXPECT_EQ(received("other")[0]["signature_valid"], false);
  // One event, one delivery to each subscription that wants it.
  EXPECT_EQ(received("other")[0]["event_id"], got["event_id"]);
}

TEST_F(WebhooksApi, ARotatedSecretSignsBesideTheNewOneFor24Hours) {
  const auto subscription = subscribe_sink("old-secret");
  const std::string id = subscription["id"];
  auto rotated = world.client().post(base() + "/" + id + "/rotate-secret", "", manager.auth());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string fresh = rotated.json()["secret"];
  EXPECT_NE(fresh, subscription["secret"]);
  EXPECT_FALSE(rotated.json()["previous_secret_until"].is_null());
  // The list never shows a secret.
  auto listed = world.client().get(base(), manager.auth()).json()["data"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].contains("secret"));

  // Same URL, so one delivery carries both signatures: a receiver with either verifies.
  change_settings(50);
  ASSERT_TRUE(eventually([&] { return received("old-secret").size() == 1; }));
  const std::string both = received("old-secret")[0]["signature"];
  EXPECT_EQ(received("old-secret")[0]["signature_valid"], true);
  sink_secrets("old-secret", {fresh});
  nudge_outbox();
  auto redelivered =
      world.client().post(base() + "/" + id + "/deliveries/" +
                              deliveries(id)[0]["id"].get<std::string>() + "/redeliver",
                          "", manager.auth());
  ASSERT_EQ(redelivered.status, 202) << redelivered.body;
  ASSERT_TRUE(eventually([&] { return received("old-secret").size() == 2; }));
  EXPECT_EQ(received("old-secret")[1]["signature_valid"], true);
  EXPECT_EQ(std::count(both.begin(), both.end(), ','), 2) << both;  // t, v1, v1

  // A day later the old secret no longer signs.
  server.clock().advance(std::chrono::hours(24) + std::chrono::seconds(1));
  sign_in_again();
  change_settings(55);
  ASSERT_TRUE(eventually([&] { return received("old-secret").size() == 3; }));
  const std::string one = received("old-secret")[2]["signature"];
  EXPECT_EQ(std::count(one.begin(), one.end(), ','), 1) << one;
  EXPECT_EQ(received("old-secret")[2]["signature_valid"], true);
  sink_secrets("old-secret", {subscription["secret"]});
  redelivered = world.client().post(base() + "/" + id + "/deliveries/" +
                                        deliveries(id)[0]["id"].get<std::string>() + "/redeliver",
                                    "", manager.auth());
  ASSERT_TRUE(eventually([&] { return received("old-secret").size() == 4; }));
  EXPECT_EQ(received("old-secret")[3]["signature_valid"], false);
}

TEST_F(WebhooksApi, AReceiverThatFailsIsRetriedOnTheScheduleThenGivenUp) {
  const auto subscription = subscribe_sink("flaky");
  const std::string id = subscription["id"];
  sandbox.fault({{"path_prefix", "/_sandbox/webhook-sink/flaky"}, {"status", 500}, {"times", 2}});
  change_settings(40);
  ASSERT_TRUE(
      eventually([&] { return deliveries(id).size() == 1 && deliveries(id)[0]["attempts"] == 1; }));
  auto delivery = deliveries(id)[0];
  EXPECT_EQ(delivery["status"], "pending");
  EXPECT_EQ(delivery["last_status_code"], 500);
  EXPECT_EQ(delivery["last_error"], "the receiver answered 500");

  // Not before the first retry delay (30 s) by the injected clock, however often
  // the lane looks.
  server.clock().advance(std::chrono::seconds(29));
  nudge_outbox();
  ASSERT_TRUE(eventually([&] {
    return query(
               "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND next_attempt_at > "
               "now()") == "1";
  }));
  EXPECT_EQ(deliveries(id)[0]["attempts"], 1);

  server.clock().advance(std::chrono::seconds(2));
  nudge_outbox();
  ASSERT_TRUE(eventually([&] { return deliveries(id)[0]["attempts"] == 2; }));
  EXPECT_EQ(deliveries(id)[0]["status"], "pending");  // then 2 minutes
  server.clock().advance(std::chrono::seconds(119));
  nudge_outbox();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(deliveries(id)[0]["attempts"], 2);
  server.clock().advance(std::chrono::seconds(2));
  nudge_outbox();
  ASSERT_TRUE(eventually([&] { return deliveries(id)[0]["status"] == "delivered"; }));
  EXPECT_EQ(deliveries(id)[0]["attempts"], 3);
  EXPECT_EQ(deliveries(id)[0]["last_status_code"], 200);
  ASSERT_EQ(received("flaky").size(), 1u);  // the two failures were not recorded as received
  EXPECT_EQ(received("flaky")[0]["signature_valid"], true);

  // A receiver that never recovers: after 24 h of retries the delivery fails.
  sandbox.fault(
      {{"path_prefix", "/_sandbox/webhook-sink/flaky"}, {"status", 503}, {"times", 1000}});
  change_settings(41);
  for (int hour = 0; hour < 26; ++hour) {
    nudge_outbox();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    server.clock().advance(std::chrono::hours(1));
  }
  sign_in_again();
  ASSERT_TRUE(eventually([&] {
    nudge_outbox();
    return deliveries(id)[0]["status"] == "failed";
  })) << deliveries(id)[0].dump();
  EXPECT_GE(deliveries(id)[0]["attempts"].get<int>(), 8);
  EXPECT_EQ(deliveries(id)[0]["last_status_code"], 503);
  EXPECT_TRUE(deliveries(id)[0]["next_attempt_at"].is_null());
}

TEST_F(WebhooksApi, TheDeliveriesLogShowsEachDeliveryAndRedeliverySendsTheSameEvent) {
  const auto subscription = subscribe_sink("log", {"*"});
  const std::string id = subscription["id"];
  change_settings(35);
  ASSERT_TRUE(eventually([&] { return received("log").size() == 1; }));
  ASSERT_TRUE(eventually([&] { return deliveries(id)[0]["status"] == "delivered"; }));
  auto log = deliveries(id);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["type"], "settings.changed");
  EXPECT_EQ(log[0]["attempts"], 1);
  EXPECT_EQ(log[0]["event_id"], received("log")[0]["event_id"]);

  const auto path = base() + "/" + id + "/deliveries/" + log[0]["id"].get<std::string>();
  auto again = world.client().post(path + "/redeliver", "", manager.auth());
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.json()["status"], "pending");
  EXPECT_EQ(again.json()["event_id"], log[0]["event_id"]);
  ASSERT_TRUE(eventually([&] { return received("log").size() == 2; }));
  EXPECT_EQ(received("log")[1]["event_id"], received("log")[0]["event_id"]);
  EXPECT_EQ(received("log")[1]["body"], received("log")[0]["body"]);
  EXPECT_EQ(deliveries(id).size(), 2u);

  // Paged, newest first.
  auto page = world.client().get(base() + "/" + id + "/deliveries?limit=1", manager.auth()).json();
  ASSERT_EQ(page["data"].size(), 1u);
  EXPECT_EQ(page["data"][0]["id"], again.json()["id"]);
  EXPECT_FALSE(page["next_cursor"].is_null());

  // Unknown ids, and a deleted subscription, are 404; a deleted one sends nothing more.
  EXPECT_EQ(
      world.client()
          .post(base() + "/" + id + "/deliveries/00000000-0000-4000-8000-000000000000/redeliver",
                "", manager.auth())
          .status,
      404);
  EXPECT_EQ(world.client().send("DELETE", base() + "/" + id, "", manager.auth()).status, 204);
  EXPECT_EQ(world.client().get(base() + "/" + id + "/deliveries", manager.auth()).status, 404);
  EXPECT_EQ(world.client().post(path + "/redeliver", "", manager.auth()).status, 404);
  EXPECT_EQ(world.client().send("DELETE", base() + "/" + id, "", manager.auth()).status, 404);
  change_settings(36);
  EXPECT_EQ(query("SELECT count(*) FROM webhook_events"), "1");
}

TEST_F(WebhooksApi, AnEventIsQueuedOnlyByATransactionThatCommits) {
  subscribe_sink("committed", {"*"});
  const auto audited = [&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO audit_events (property_id, actor, action, subject_type, subject_id) "
        "VALUES ($1::uuid, 'test', 'settings.changed', 'property', $1::text)",
        property);
  };
  {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    audited(tx);
    // Inside the transaction the event and its outbox message exist...
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM webhook_events")[0].as<int>(), 1);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox WHERE channel = 'webhook'")[0].as<int>(), 1);
    tx.abort();
  }
  // ...and with its rollback they are gone: nothing was sent.
  EXPECT_EQ(query("SELECT count(*) FROM webhook_events"), "0");
  EXPECT_EQ(query("SELECT count(*) FROM outbox WHERE channel = 'webhook'"), "0");

  // A request that fails validation changes nothing, so it publishes nothing.
  auto refused = world.client().send("PATCH", "/v1/properties/" + property + "/settings",
                                     R"({"ring_timeout_seconds": 5})", admin.auth());
  EXPECT_EQ(refused.status, 422);
  change_settings(42);  // and one that commits is delivered
  ASSERT_TRUE(eventually([&] { return received("committed").size() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(received("committed").size(), 1u);
  EXPECT_EQ(received("committed")[0]["body"]["data"]["details"]["after"]["ring_timeout_seconds"],
            42);
}

// Issue 29: a replayed create handed the signing secret back, and the answer
// kept for the key held it in clear for 48 hours. The secret is shown once.
TEST_F(WebhooksApi, AReplayedCreateSaysWhatWasCreatedButNeverShowsTheSecretAgain) {
  auto headers = manager.auth();
  headers.emplace_back("Idempotency-Key", "create-hook-1");
  const auto body = nlohmann::json{{"url", sink_url("replay")}, {"events", {"*"}}}.dump();
  const auto first = world.client().post(base(), body, headers);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string secret = first.json()["secret"];
  ASSERT_FALSE(secret.empty());
  const auto replay = world.client().post(base(), body, headers);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.json()["id"], first.json()["id"]);
  EXPECT_TRUE(replay.json()["secret"].is_null()) << replay.body;
  EXPECT_EQ(replay.body.find(secret), std::string::npos);
  EXPECT_EQ(
      testing::query_value(
          server.database_url(),
          "SELECT count(*) FROM idempotency_keys WHERE response_body LIKE '%" + secret + "%'"),
      "0");
  EXPECT_EQ(world.client().get(base(), manager.auth()).json()["data"].size(), 1u);

  // A panel key is the same kind of answer.
  auto panel_headers = admin.auth();
  panel_headers.emplace_back("Idempotency-Key", "panel-1");
  const std::string panels = "/v1/properties/" + property + "/panels";
  const auto panel = world.client().post(panels, R"({"name": "Lobby"})", panel_headers);
  ASSERT_EQ(panel.status, 201) << panel.body;
  const auto panel_again = world.client().post(panels, R"({"name": "Lobby"})", panel_headers);
  EXPECT_EQ(panel_again.status, 201);
  EXPECT_EQ(panel_again.json()["id"], panel.json()["id"]);
  EXPECT_TRUE(panel_again.json()["api_key"].is_null()) << panel_again.body;
}

// Issue 29: with 24 subscriptions, 8 simultaneous creates left 26 to 28.
TEST_F(WebhooksApi, ABurstOfCreatesCannotPassTheLimit) {
  for (int i = 0; i < 24; ++i) {
    ASSERT_EQ(subscribe(manager, {{"url", sink_url("burst")}, {"events", {"*"}}}).status, 201);
  }
  std::vector<std::thread> burst;
  std::atomic<int> created{0}, refused{0};
  for (int i = 0; i < 8; ++i) {
    burst.emplace_back([&] {
      auto client = server.client();
      const auto answer =
          client.post(base(), nlohmann::json{{"url", sink_url("burst")}, {"events", {"*"}}}.dump(),
                      manager.auth());
      if (answer.status == 201) ++created;
      if (answer.status == 409 && answer.json()["code"] == "too_many_webhooks") ++refused;
    });
  }
  for (auto& thread : burst) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(world.client().get(base(), manager.auth()).json()["data"].size(), 25u);
}

TEST_F(WebhooksApi, SubscriptionsCheckTheirInput) {
  const auto invalid = [&](const nlohmann::json& body) {
    auto response = subscribe(manager, body);
    EXPECT_EQ(response.status, 422) << body.dump() << " " << response.body;
    return response.json();
  };
  invalid({{"events", {"*"}}});
  invalid({{"url", "not a url"}, {"events", {"*"}}});
  invalid({{"url", "https://user:pw@hooks.example/x"}, {"events", {"*"}}});
  invalid({{"url", "ftp://hooks.example/x"}, {"events", {"*"}}});
  invalid({{"url", sink_url("x")}});
  invalid({{"url", sink_url("x")}, {"events", nlohmann::json::array()}});
  invalid({{"url", sink_url("x")}, {"events", {"door.exploded"}}});
  invalid({{"url", sink_url("x")}, {"events", {7}}});
  invalid({{"url", sink_url("x") + std::string(2000, 'a')}, {"events", {"*"}}});
  invalid({{"url", sink_url("x")}, {"events", {"*"}}, {"description", "bell\x07"}});
  EXPECT_EQ(query("SELECT count(*) FROM webhook_subscriptions"), "0");

  for (int i = 0; i < 25; ++i) {
    ASSERT_EQ(subscribe(manager, {{"url", sink_url("many")}, {"events", {"*"}}}).status, 201);
  }
  auto too_many = subscribe(manager, {{"url", sink_url("many")}, {"events", {"*"}}});
  EXPECT_EQ(too_many.status, 409);
  EXPECT_EQ(too_many.json()["code"], "too_many_webhooks");
}

TEST_F(WebhooksApi, OnlyThePropertysManagersAndAdminsManageItsWebhooks) {
  const auto subscription = subscribe_sink("mine");
  const std::string id = subscription["id"];
  const auto staff = world.staff(property, "staff");
  const auto resident = world.resident(property, "Rita", "Resident");
  const auto elsewhere = world.property("birch");
  const auto other_manager = world.staff(elsewhere, "manager");
  const nlohmann::json body = {{"url", sink_url("intruder")}, {"events", {"*"}}};

  for (const auto* who : {&staff, &resident}) {
    EXPECT_EQ(subscribe(*who, body).status, 403);
    EXPECT_EQ(world.client().get(base(), who->auth()).status, 403);
    EXPECT_EQ(world.client().send("DELETE", base() + "/" + id, "", who->auth()).status, 403);
    EXPECT_EQ(world.client().post(base() + "/" + id + "/rotate-secret", "", who->auth()).status,
              403);
    EXPECT_EQ(world.client().get(base() + "/" + id + "/deliveries", who->auth()).status, 403);
  }
  // Another property's manager learns nothing, not even that the property exists.
  EXPECT_EQ(subscribe(other_manager, body).status, 404);
  EXPECT_EQ(world.client().get(base(), other_manager.auth()).status, 404);
  EXPECT_EQ(world.client().send("DELETE", base() + "/" + id, "", other_manager.auth()).status, 404);
  // Nor through their own property's path.
  const auto theirs = "/v1/properties/" + elsewhere + "/webhooks/" + id;
  EXPECT_EQ(world.client().send("DELETE", theirs, "", other_manager.auth()).status, 404);
  EXPECT_EQ(world.client().post(theirs + "/rotate-secret", "", other_manager.auth()).status, 404);
  EXPECT_EQ(world.client().get(theirs + "/deliveries", other_manager.auth()).status, 404);
  EXPECT_EQ(world.client().get(base(), admin.auth()).json()["data"].size(), 1u);
  EXPECT_EQ(query("SELECT count(*) FROM webhook_subscriptions WHERE deleted_at IS NULL"), "1");
  EXPECT_EQ(world.client().get(base()).status, 401);
}

// Without the development switches: https only, and never an internal address,
// whether the URL names it or a name resolves to it when a delivery is due.
class SafeWebhooksApi : public WebhooksApi {
 protected:
  SafeWebhooksApi() : WebhooksApi(testing::TestServerOptions{.bmx_sandbox = true}) {}
};

TEST_F(SafeWebhooksApi, InternalAndPlainHttpTargetsAreRefused) {
  const auto code = [&](const std::string& url) {
    auto response = subscribe(manager, {{"url", url}, {"events", {"*"}}});
    EXPECT_EQ(response.status, 422) << url << " " << response.body;
    return response.json()["errors"][0]["code"].get<std::string>();
  };
  EXPECT_EQ(code(sink_url("plain")), "https_required");
  EXPECT_EQ(code("https://127.0.0.1:8443/hook"), "internal_address");
  EXPECT_EQ(code("https://localhost/hook"), "internal_address");
  EXPECT_EQ(code("https://10.1.2.3/hook"), "internal_address");
  EXPECT_EQ(code("https://192.168.0.10/hook"), "internal_address");
  EXPECT_EQ(code("https://169.254.169.254/latest/meta-data"), "internal_address");
  EXPECT_EQ(code("https://[::1]/hook"), "internal_address");
  EXPECT_EQ(code("https://[::ffff:127.0.0.1]/hook"), "internal_address");
  EXPECT_EQ(code("https://0.0.0.0/hook"), "internal_address");
  EXPECT_EQ(query("SELECT count(*) FROM webhook_subscriptions"), "0");
}

TEST_F(SafeWebhooksApi, ANameThatResolvesInternallyWhenDueIsNotDelivered) {
  // A public address when it was created; later its name points inside (as a DNS
  // rebinding would): the check at delivery time refuses it.
  auto created =
      subscribe(manager, {{"url", "https://203.0.113.10/hook"}, {"events", {"settings.changed"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  query("UPDATE webhook_subscriptions SET url = 'https://localhost:" +
        std::to_string(sandbox.port()) + "/_sandbox/webhook-sink/inside' WHERE id = '" + id +
        "' RETURNING 1");
  change_settings(44);
  ASSERT_TRUE(eventually([&] {
    auto log = deliveries(id);
    return log.size() == 1 && log[0]["attempts"] == 1;
  }));
  const std::string error = deliveries(id)[0]["last_error"];
  EXPECT_TRUE(error.starts_with("refused: localhost resolves to ")) << error;
  EXPECT_TRUE(deliveries(id)[0]["last_status_code"].is_null());
  EXPECT_TRUE(received("inside").empty());
}

}  // namespace
}  // namespace frontdoor
