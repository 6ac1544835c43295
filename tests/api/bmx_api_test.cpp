// The BMX flows through frontdoor's real API, with the real bmx-sandbox behind
// it: site set-up, the manager's request, resident linking and contact
// preference, inbound webhooks, move-out, and the support views.
#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <thread>

#include "../support/eventually.hpp"
#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::eventually;
using testing::HttpResponse;
using testing::SandboxProcess;
using testing::TestServer;
using testing::World;

constexpr const char* kPlaceholder = "butterflymx+maple@frontdoor.example";

class BmxApi : public ::testing::Test {
 protected:
  BmxApi()
      : sandbox(SandboxProcess::shared()),
        server(testing::TestServerOptions{.bmx_sandbox = true}),
        world(server) {
    sandbox.reset();
    property = world.property("maple");
  }

  nlohmann::json seed_building(bool with_placeholder = true) {
    nlohmann::json units = {
        {{"label", "101"},
         {"tenants",
          {{{"first_name", "Ana"}, {"last_name", "Garcia"}, {"email", "ana@bmx.test"}}}}},
        {{"label", "201"},
         {"tenants",
          {{{"first_name", "Chloe"},
            {"last_name", "Martin"},
            {"email", "chloe@bmx.test"},
            {"contact_preference", "phone_call"}}}}}};
    if (with_placeholder) {
      units.push_back(
          {{"label", "frontdoor"},
           {"tenants",
            {{{"first_name", "Visitors"}, {"last_name", "Maple"}, {"email", kPlaceholder}}}}});
    }
    building = sandbox.seed_building(
        {{"name", "Maple Court"}, {"admins", {"boss@bmx.test"}}, {"units", units}});
    return building;
  }

  HttpResponse set_up(const std::string& code, std::int64_t building_id = 0) {
    return world.client().send(
        "PUT", "/v1/properties/" + property + "/integrations/bmx",
        nlohmann::json{
            {"building_id", building_id ? building_id : building["id"].get<std::int64_t>()},
            {"authorization_code", code}}
            .dump(),
        world.admin().auth());
  }

  void set_up_site() {
    seed_building();
    auto response = set_up(sandbox.code_for("boss@bmx.test"));
    ASSERT_EQ(response.status, 200) << response.body;
  }

  // Signs in on the sandbox's authorize page as `bmx_email`, from the URL frontdoor
  // gave; returns the code and state BMX redirected back with.
  std::pair<std::string, std::string> sign_in_at_bmx(const std::string& authorize_url,
                                                     const std::string& bmx_email) {
    boost::urls::url url(authorize_url);
    std::string form = "email=" + bmx_email;
    for (auto param : url.params()) {
      form += "&" + std::string(param.key) + "=" + std::string(param.value);
    }
    auto response = sandbox.client().post("/oauth/authorize", form,
                                          {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(response.status, 302) << response.body;
    boost::urls::url back(response.header("location"));
    std::string code, state;
    for (auto param : back.params()) {
      if (param.key == "code") code = param.value;
      if (param.key == "state") state = param.value;
    }
    return {code, state};
  }

  HttpResponse link(const Account& resident, const std::string& code, const std::string& state) {
    return world.client().post(
        "/v1/me/bmx", nlohmann::json{{"code", code}, {"state", state}}.dump(), resident.auth());
  }

  // A resident of the property linked to the BMX tenant with this e-mail.
  Account linked_resident(const std::string& bmx_email) {
    auto resident = world.resident(property);
    auto status = world.client().get("/v1/me/bmx", resident.auth()).json();
    auto [code, state] = sign_in_at_bmx(status["authorize_url"], bmx_email);
    auto response = link(resident, code, state);
    EXPECT_EQ(response.status, 200) << response.body;
    return resident;
  }

  // The webhook URL frontdoor registered at BMX, as the building admin sees it.
  std::string webhook_path() {
    const auto token = sandbox.client()
                           .post("/oauth/token",
                                 "grant_type=authorization_code&client_id=frontdoor"
                                 "&client_secret=sandbox-secret&code=" +
                                     sandbox.code_for("boss@bmx.test"),
                                 {{"Content-Type", "application/x-www-form-urlencoded"}})
                           .json()["access_token"]
                           .get<std::string>();
    auto integrations =
        sandbox.client()
            .get("/v4/buildings/" + std::to_string(building["id"].get<std::int64_t>()) +
                     "/integrations",
                 {{"Authorization", "Bearer " + token}})
            .json()["data"];
    EXPECT_EQ(integrations.size(), 1u);
    const std::string url = integrations[0]["attributes"]["configuration"]["url"];
    return url.substr(url.find("/v1/webhooks/bmx/"));
  }

  std::string query(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  // Waits for the outbox to process every webhook event; returns their outcomes.
  std::string outcomes() {
    for (int i = 0; i < 200; ++i) {
      if (query("SELECT count(*) FROM bmx_webhook_events WHERE processed_at IS NULL") == "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return query(
        "SELECT coalesce(string_agg(outcome, ',' ORDER BY received_at), '') "
        "FROM bmx_webhook_events");
  }

  std::int64_t tenant(int unit) { return building["units"][unit]["tenants"][0]["id"]; }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
  std::string property;
  nlohmann::json building;
};

TEST_F(BmxApi, SiteSetUpFindsThePlaceholderAndRegistersTheWebhook) {
  seed_building();
  auto response = set_up(sandbox.code_for("boss@bmx.test"));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto record = response.json();
  EXPECT_EQ(record["status"], "active");
  EXPECT_EQ(record["building_id"], building["id"]);
  EXPECT_EQ(record["placeholder_unit_id"], building["units"][2]["id"]);
  EXPECT_EQ(record["placeholder_tenant_id"], tenant(2));

  auto fetched =
      world.client().get("/v1/properties/" + property + "/integrations/bmx", world.admin().auth());
  EXPECT_EQ(fetched.json()["placeholder_tenant_id"], tenant(2));
  EXPECT_EQ(webhook_path().size(), std::string("/v1/webhooks/bmx/").size() + 64);
  // Tokens are stored sealed (nonce, 64 bytes of ciphertext, tag), never as BMX sent them.
  EXPECT_EQ(query("SELECT count(*) FROM bmx_credentials WHERE key_id = 't1' "
                  "AND octet_length(access_token) = 12 + 64 + 16 "
                  "AND encode(access_token, 'escape') !~ '^[0-9a-f]{64}$'"),
            "1");
  EXPECT_EQ(query("SELECT action FROM audit_events WHERE action LIKE 'bmx.%'"), "bmx.site_set_up");

  // A second set-up replaces the first: one webhook, the old credential revoked.
  ASSERT_EQ(set_up(sandbox.code_for("boss@bmx.test")).status, 200);
  webhook_path();
  EXPECT_EQ(query("SELECT count(*) FROM bmx_credentials WHERE revoked_at IS NULL"), "1");
}

TEST_F(BmxApi, AMissingPlaceholderSaysHowToCreateIt) {
  seed_building(false);
  auto response = set_up(sandbox.code_for("boss@bmx.test"));
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(response.json()["code"], "placeholder_tenant_not_found");
  const std::string detail = response.json()["detail"];
  EXPECT_NE(detail.find(kPlaceholder), std::string::npos) << detail;
  EXPECT_NE(detail.find("Maple Court"), std::string::npos) << detail;
  EXPECT_EQ(query("SELECT count(*) FROM bmx_integrations"), "0");

  // The manager tells the operator once the placeholder exists.
  auto manager = world.staff(property, "manager");
  auto request =
      world.client().post("/v1/properties/" + property + "/integrations/bmx/requests",
                          R"({"building_name": "Maple Court", "note": "Done"})", manager.auth());
  ASSERT_EQ(request.status, 201) << request.body;
  EXPECT_EQ(request.json()["placeholder_email"], kPlaceholder);
  auto health =
      world.client().get("/v1/properties/" + property + "/integrations/bmx/health", manager.auth());
  EXPECT_EQ(health.json()["status"], "not_configured");
  EXPECT_EQ(health.json()["set_up_requests"], 1);
}

TEST_F(BmxApi, SiteSetUpRefusesBadCodesAndUnknownBuildings) {
  seed_building();
  auto bad = set_up("never-issued");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["code"], "bmx_authorization_invalid");
  auto unknown = set_up(sandbox.code_for("boss@bmx.test"), 42);
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.json()["code"], "bmx_building_not_found");
  auto malformed = world.client().send("PUT", "/v1/properties/" + property + "/integrations/bmx",
                                       R"({"building_id": "x"})", world.admin().auth());
  EXPECT_EQ(malformed.status, 422);
  EXPECT_EQ(malformed.json()["errors"].size(), 2u);
  // BMX down: a clear 503, nothing stored.
  sandbox.fault({{"path_prefix", "/v4"}, {"status", 503}, {"times", 100}});
  auto down = set_up(sandbox.code_for("boss@bmx.test"));
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.json()["code"], "bmx_unavailable");
  EXPECT_EQ(query("SELECT count(*) FROM bmx_integrations"), "0");
}

TEST_F(BmxApi, LinkingChecksTheStateAndReadsTheContactPreference) {
  set_up_site();
  auto resident = world.resident(property);
  auto status = world.client().get("/v1/me/bmx", resident.auth()).json();
  EXPECT_EQ(status["linked"], false);
  const std::string url = status["authorize_url"];
  EXPECT_EQ(url.rfind(sandbox.url() + "/oauth/authorize?client_id=frontdoor", 0), 0u) << url;
  auto [code, state] = sign_in_at_bmx(url, "ana@bmx.test");

  // A state this user was never given is refused, and so is someone else's.
  EXPECT_EQ(link(resident, code, "forged").json()["code"], "bmx_state_mismatch");
  auto other = world.resident(property);
  EXPECT_EQ(link(other, code, state).json()["code"], "bmx_state_mismatch");

  auto linked = link(resident, code, state);
  ASSERT_EQ(linked.status, 200) << linked.body;
  EXPECT_EQ(linked.json()["linked"], true);
  EXPECT_EQ(linked.json()["tenant_id"], tenant(0));
  EXPECT_EQ(linked.json()["contact_preference"], "mobile_app");
  EXPECT_EQ(linked.json()["video_calls_ready"], true);
  // The state works once.
  EXPECT_EQ(link(resident, code, state).json()["code"], "bmx_state_mismatch");
  EXPECT_EQ(world.client().get("/v1/me/bmx", resident.auth()).json()["tenant_id"], tenant(0));
}

TEST_F(BmxApi, PhoneCallsMeanNoVideoAndAChangeInBmxReachesTheApp) {
  set_up_site();
  auto resident = linked_resident("chloe@bmx.test");
  auto status = world.client().get("/v1/me/bmx", resident.auth()).json();
  EXPECT_EQ(status["contact_preference"], "phone_call");
  EXPECT_EQ(status["video_calls_ready"], false);

  // Chloé switches to Mobile App in BMX; frontdoor looks again after a minute.
  sandbox.client().send("PATCH", "/_sandbox/tenants/" + std::to_string(tenant(1)),
                        R"({"contact_preference": "mobile_app"})",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(world.client().get("/v1/me/bmx", resident.auth()).json()["contact_preference"],
            "phone_call");
  server.clock().advance(std::chrono::minutes(2));
  status = world.client().get("/v1/me/bmx", resident.auth()).json();
  EXPECT_EQ(status["contact_preference"], "mobile_app");
  EXPECT_EQ(status["video_calls_ready"], true);
}

TEST_F(BmxApi, LinkingNeedsAResidentOfTheBuildingAndASetUpSite) {
  auto early = world.resident(property);
  auto status = world.client().get("/v1/me/bmx", early.auth()).json();
  seed_building();
  auto [code, state] = sign_in_at_bmx(status["authorize_url"], "ana@bmx.test");
  EXPECT_EQ(link(early, code, state).json()["code"], "bmx_not_set_up");

  ASSERT_EQ(set_up(sandbox.code_for("boss@bmx.test")).status, 200);
  // A BMX account of another building is not a tenant here.
  sandbox.seed_building(
      {{"name", "Elsewhere"},
       {"units",
        {{{"label", "9"}, {"tenants", {{{"first_name", "Zed"}, {"email", "zed@bmx.test"}}}}}}}});
  auto resident = world.resident(property);
  status = world.client().get("/v1/me/bmx", resident.auth()).json();
  auto [zed_code, zed_state] = sign_in_at_bmx(status["authorize_url"], "zed@bmx.test");
  EXPECT_EQ(link(resident, zed_code, zed_state).json()["code"], "bmx_tenant_not_found");

  // Staff do not link BMX accounts.
  EXPECT_EQ(world.client().get("/v1/me/bmx", world.staff(property, "staff").auth()).status, 403);
}

TEST_F(BmxApi, UnlinkingAndMovingOutRemoveTheLink) {
  set_up_site();
  auto ana = linked_resident("ana@bmx.test");
  EXPECT_EQ(world.client().send("DELETE", "/v1/me/bmx", "", ana.auth()).status, 204);
  EXPECT_EQ(world.client().get("/v1/me/bmx", ana.auth()).json()["linked"], false);
  EXPECT_EQ(query("SELECT count(*) FROM bmx_credentials WHERE revoked_at IS NULL"), "1");

  auto chloe = linked_resident("chloe@bmx.test");
  auto moved = world.client().post("/v1/residents/" + chloe.residency_id + "/move-out", "",
                                   world.admin().auth());
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(query("SELECT count(*) FROM bmx_links"), "0");
  EXPECT_EQ(query("SELECT count(*) FROM audit_events WHERE action = 'bmx.unlinked'"), "2");
}

TEST_F(BmxApi, WebhooksAreStoredOnceAndCheckedAgainstBmx) {
  set_up_site();
  linked_resident("ana@bmx.test");
  const auto path = webhook_path();

  // An unknown secret is nothing at all.
  EXPECT_EQ(world.client()
                .post("/v1/webhooks/bmx/" + std::string(64, 'a'),
                      R"({"event":{"resource_type":"call","action":"create","data":{"id":1}}})")
                .status,
            404);

  // A real call at the panel reaches frontdoor through the registered webhook.
  auto call = sandbox.client().post(
      "/_sandbox/panels/" + std::to_string(building["devices"][0]["id"].get<std::int64_t>()) +
          "/calls",
      nlohmann::json{{"tenant_id", tenant(0)}}.dump());
  ASSERT_EQ(call.status, 201);
  const auto call_id = call.json()["data"]["id"].get<std::int64_t>();
  for (int i = 0; i < 200 && query("SELECT count(*) FROM bmx_webhook_events") == "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(outcomes(), "call_for_resident");

  // The same event again (BMX retries) is acknowledged and ignored.
  const auto again = nlohmann::json{
      {"event", {{"resource_type", "call"}, {"action", "create"}, {"data", {{"id", call_id}}}}}};
  auto duplicate = world.client().post(path, again.dump());
  EXPECT_EQ(duplicate.status, 200);
  EXPECT_EQ(duplicate.json()["received"], "duplicate");
  EXPECT_EQ(query("SELECT count(*) FROM bmx_webhook_events"), "1");

  // A call for a tenant nobody linked, and a hint BMX knows nothing about.
  auto chloe_call = sandbox.client().post(
      "/_sandbox/panels/" + std::to_string(building["devices"][0]["id"].get<std::int64_t>()) +
          "/calls",
      nlohmann::json{{"tenant_id", tenant(1)}}.dump());
  ASSERT_EQ(chloe_call.status, 201);
  auto forged = world.client().post(
      path, R"({"event":{"resource_type":"call","action":"create","data":{"id":999}}})");
  EXPECT_EQ(forged.json()["received"], "queued");
  for (int i = 0; i < 200 && query("SELECT count(*) FROM bmx_webhook_events") != "3"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const auto all = outcomes();
  EXPECT_NE(all.find("unknown_tenant"), std::string::npos) << all;
  EXPECT_NE(all.find("not_in_bmx"), std::string::npos) << all;

  // Events frontdoor does not act on are acknowledged; malformed ones are 400.
  EXPECT_EQ(world.client()
                .post(path, R"({"event":{"resource_type":"user","action":"update","data":{}}})")
                .json()["received"],
            "ignored");
  EXPECT_EQ(world.client().post(path, R"({"event":"call"})").status, 400);
  EXPECT_EQ(query("SELECT count(*) FROM bmx_webhook_events"), "3");
}

TEST_F(BmxApi, WebhooksAreAnsweredAtOnceWhileBmxIsSlow) {
  set_up_site();
  const auto path = webhook_path();
  // BMX takes ten seconds to answer; the webhook must not wait for it (BMX
  // gives up after five). The client's deadline is four.
  sandbox.fault({{"path_prefix", "/v4/buildings"}, {"delay_ms", 10000}, {"times", 1}});
  testing::HttpClient impatient(server.app().port(), "127.0.0.1", std::chrono::seconds(4));
  auto response = impatient.post(
      path, R"({"event":{"resource_type":"door_release","action":"create","data":{"id":7}}})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json()["received"], "queued");
  EXPECT_EQ(query("SELECT resource_type FROM bmx_webhook_events"), "access_log");
}

TEST_F(BmxApi, SupportSeesHealthAndResidentDiagnostics) {
  set_up_site();
  auto ana = linked_resident("ana@bmx.test");
  auto manager = world.staff(property, "manager");
  const auto health_path = "/v1/properties/" + property + "/integrations/bmx/health";
  auto health = world.client().get(health_path, manager.auth()).json();
  EXPECT_EQ(health["status"], "active");
  EXPECT_EQ(health["token"]["valid"], true);
  EXPECT_EQ(health["circuit_state"], "closed");
  EXPECT_TRUE(health["last_errors"].empty());
  EXPECT_TRUE(health["last_webhook_at"].is_null());
  // Each lane's backlog, and what of this property's waits for BMX.
  for (const char* lane : {"bmx", "sms", "email", "push", "urgent"}) {
    ASSERT_TRUE(eventually([&] {
      health = world.client().get(health_path, manager.auth()).json();
      return health["outbox"]["lanes"].contains(lane);
    })) << lane
        << ": " << health["outbox"];
    EXPECT_EQ(health["outbox"]["lanes"][lane]["circuit"], "closed");
    EXPECT_TRUE(health["outbox"]["lanes"][lane]["pending"].is_number());
  }
  EXPECT_EQ(health["outbox"]["this_property_bmx"]["pending"], 0);

  // A BMX failure on a resident's behalf shows up with BMX's request id.
  server.clock().advance(std::chrono::minutes(2));
  sandbox.fault({{"path_prefix", "/v4/tenants"}, {"status", 500}, {"times", 3}});
  EXPECT_EQ(world.client().get("/v1/me/bmx", ana.auth()).json()["linked"], true);
  health = world.client().get(health_path, manager.auth()).json();
  ASSERT_EQ(health["last_errors"].size(), 1u) << health;
  EXPECT_EQ(health["last_errors"][0]["operation"], "get_tenant");
  EXPECT_EQ(health["last_errors"][0]["kind"], "unavailable");
  EXPECT_EQ(health["last_errors"][0]["bmx_request_id"].get<std::string>().size(), 32u);

  world.client().post(webhook_path(),
                      R"({"event":{"resource_type":"call","action":"create","data":{"id":5}}})");
  EXPECT_FALSE(world.client().get(health_path, manager.auth()).json()["last_webhook_at"].is_null());

  world.client().post("/v1/me/devices", testing::iphone("ana-1"), ana.auth());
  auto staff = world.staff(property, "staff");
  auto diagnostics =
      world.client().get("/v1/residents/" + ana.residency_id + "/diagnostics", staff.auth());
  ASSERT_EQ(diagnostics.status, 200) << diagnostics.body;
  EXPECT_EQ(diagnostics.json()["bmx"]["linked"], true);
  EXPECT_EQ(diagnostics.json()["bmx"]["contact_preference"], "mobile_app");
  ASSERT_EQ(diagnostics.json()["devices"].size(), 1u);
  EXPECT_EQ(diagnostics.json()["devices"][0]["voip_token_registered"], true);
  // Push tokens are not support's business.
  EXPECT_EQ(diagnostics.body.find(testing::apns_token("apns-ana-1")), std::string::npos);
}

}  // namespace
}  // namespace frontdoor
