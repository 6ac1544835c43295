// Visitors and passes through frontdoor's real API with the real bmx-sandbox
// behind it: every rule and error code of CONTRACT.md, the three flows, BMX
// outages and refusals, revocation, arrival, and the pass page's states.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "../support/bmx_world.hpp"
#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"
#include "frontdoor/common/time.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::HttpResponse;
using testing::SandboxProcess;
using testing::TestServer;
using testing::World;

constexpr const char* kPlaceholder = "butterflymx+maple@frontdoor.example";

std::string in_hours(double hours) {
  return common::to_rfc3339(std::chrono::system_clock::now() +
                            std::chrono::seconds(static_cast<long>(hours * 3600)));
}

// The server's clock is a ManualClock; BMX's is the real one. Tests that do not
// move time keep the two together.
void sync(TestServer& server) { server.clock().set(std::chrono::system_clock::now()); }

class VisitorsApi : public ::testing::Test {
 protected:
  VisitorsApi()
      : sandbox(SandboxProcess::shared()),
        server(testing::TestServerOptions{.bmx_sandbox = true}),
        world(server) {
    sandbox.reset();
    property = world.property("maple");
    building = sandbox.seed_building(nlohmann::json::parse(std::string(R"({
      "name": "Maple Court", "admins": ["boss@bmx.test"],
      "units": [
        {"label": "101", "tenants": [{"first_name": "Ana", "last_name": "Garcia",
                                      "email": "ana@bmx.test"}]},
        {"label": "201", "tenants": [{"first_name": "Ben", "last_name": "Okafor",
                                      "email": "ben@bmx.test"}]},
        {"label": "frontdoor", "tenants": [{"first_name": "Visitors", "last_name": "Maple",
                                            "email": ")") + kPlaceholder +
                                                           R"("}]}]})"));
    auto set_up = world.client().send(
        "PUT", "/v1/properties/" + property + "/integrations/bmx",
        nlohmann::json{{"building_id", building["id"]},
                       {"authorization_code", sandbox.code_for("boss@bmx.test")}}
            .dump(),
        world.admin().auth());
    EXPECT_EQ(set_up.status, 200) << set_up.body;
    ana = linked_resident("ana@bmx.test");
  }

  Account linked_resident(const std::string& bmx_email) {
    auto resident = world.resident(property);
    testing::BmxWorld(world.client(), sandbox).link(resident.access_token, bmx_email);
    return resident;
  }

  HttpResponse add_visitor(const Account& host, nlohmann::json body,
                           const std::string& idempotency_key = "") {
    sync(server);
    auto headers = host.auth();
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return world.client().post("/v1/me/visitors", body.dump(), headers);
  }

  nlohmann::json property_only(const std::string& phone = "+15550001111") {
    return {{"name", "Vera Visitor"},
            {"phone", phone},
            {"access", "property_only"},
            {"starts_at", in_hours(0)},
            {"ends_at", in_hours(3)}};
  }

  // Polls until the pass leaves "pending"; returns the visitor.
  nlohmann::json settled(const Account& host, const std::string& visitor_id) {
    nlohmann::json visitor;
    for (int i = 0; i < 200; ++i) {
      visitor = world.client().get("/v1/me/visitors/" + visitor_id, host.auth()).json();
      if (visitor["pass"]["status"] != "pending") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return visitor;
  }

  template <typename Predicate>
  bool eventually(Predicate done) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  std::string query(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  std::string admin_bmx_token() { return testing::BmxWorld(world.client(), sandbox).admin_token(); }

  // The keychain BMX holds for a visit, as the building admin sees it.
  nlohmann::json bmx_keychain(const std::string& visitor_id) {
    const auto id =
        query("SELECT bmx_keychain_id FROM passes WHERE visitor_id = '" + visitor_id + "'");
    return sandbox.client()
        .get("/v4/keychains/" + id, {{"Authorization", "Bearer " + admin_bmx_token()}})
        .json()["data"];
  }

  HttpResponse scan(const std::string& code) {
    return sandbox.client().post(
        "/_sandbox/panels/" + std::to_string(building["devices"][0]["id"].get<std::int64_t>()) +
            "/scans",
        nlohmann::json{{"code", code}}.dump());
  }

  HttpResponse page_of(const nlohmann::json& created, const std::string& suffix = "") {
    sync(server);
    return world.client().get(page_path(created) + suffix);
  }

  std::string page_path(const nlohmann::json& created) {
    const std::string url = created["pass"]["url"];
    return url.substr(url.find("/p/"));
  }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
  std::string property;
  nlohmann::json building;
  Account ana;
};

TEST_F(VisitorsApi, APropertyOnlyPassIsTextedAndItsQrOpensTheDoorUntilRevoked) {
  world.client().post("/v1/me/devices", R"({"platform":"android","push_token":"fcm-ana-1"})",
                      ana.auth());
  auto created = add_visitor(ana, property_only());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto visitor = created.json();
  EXPECT_EQ(visitor["pass"]["status"], "pending");
  EXPECT_EQ(visitor["access"], "property_only");
  const std::string url = visitor["pass"]["url"];
  EXPECT_EQ(url.rfind(server.app().config().public_base_url + "/p/", 0), 0u) << url;

  EXPECT_EQ(settled(ana, visitor["id"])["pass"]["status"], "issued");
  // The keychain covers exactly the visit's window, on Ana's own tenant.
  const auto keychain = bmx_keychain(visitor["id"]);
  EXPECT_EQ(keychain["starts_at"], visitor["starts_at"]);
  EXPECT_EQ(keychain["ends_at"], visitor["ends_at"]);
  EXPECT_EQ(keychain["tenant_id"], building["units"][0]["tenants"][0]["id"]);

  nlohmann::json sms;
  ASSERT_TRUE(eventually([&] { return !(sms = sandbox.messages("sms", "+15550001111")).empty(); }));
  ASSERT_EQ(sms.size(), 1u);
  const std::string text = sms[0]["body"];
  EXPECT_NE(text.find(url), std::string::npos) << text;
  EXPECT_LE(text.size(), 160u) << text;
  EXPECT_NE(text.find("The maple"), std::string::npos) << text;

  auto page = page_of(visitor);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("cache-control"), "no-store");
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  EXPECT_NE(page.body.find("Vera Visitor"), std::string::npos);
  EXPECT_EQ(page.body.find("http"), page.body.find("http://www.w3.org/2000/svg"))
      << "the page loads nothing from elsewhere";
  auto qr = page_of(visitor, "/qr.svg");
  EXPECT_EQ(qr.status, 200);
  EXPECT_EQ(qr.header("content-type"), "image/svg+xml");

  // The credential the QR encodes is the key's, and the panel lets it in.
  const auto pin = sandbox.client()
                       .get("/v4/virtual_keys/" +
                                std::to_string(keychain["virtual_key_ids"][0].get<std::int64_t>()),
                            {{"Authorization", "Bearer " + admin_bmx_token()}})
                       .json()["data"]["pin_code"]
                       .get<std::string>();
  EXPECT_NE(page.body.find(pin), std::string::npos);
  EXPECT_EQ(scan(pin).json()["granted"], true);

  // The scan's access_log webhook marks the arrival and tells Ana's phone.
  ASSERT_TRUE(eventually([&] {
    return world.client()
               .get("/v1/me/visitors/" + visitor["id"].get<std::string>(), ana.auth())
               .json()["status"] == "arrived";
  }));
  nlohmann::json pushes;
  ASSERT_TRUE(
      eventually([&] { return !(pushes = sandbox.messages("push", "fcm-ana-1")).empty(); }));
  EXPECT_EQ(pushes[0]["data"]["payload"]["title"], "Your visitor has arrived");

  // Revoked: the page says so, the key is gone at BMX, the panel refuses.
  EXPECT_EQ(
      world.client()
          .send("DELETE", "/v1/me/visitors/" + visitor["id"].get<std::string>(), "", ana.auth())
          .status,
      204);
  page = world.client().get(page_path(visitor));
  EXPECT_EQ(page.status, 410);
  EXPECT_NE(page.body.find("revoked"), std::string::npos);
  EXPECT_EQ(page.body.find("<svg"), std::string::npos);
  EXPECT_EQ(world.client().get(page_path(visitor) + "/qr.svg").status, 404);
  ASSERT_TRUE(eventually([&] { return scan(pin).json()["granted"] == false; }));
  EXPECT_EQ(query("SELECT count(*) FROM passes WHERE bmx_deleted_at IS NOT NULL"), "1");
}

TEST_F(VisitorsApi, EveryRuleHasItsCode) {
  // Not linked to BMX: 409 with where to sign in.
  auto unlinked = world.resident(property);
  auto response = add_visitor(unlinked, property_only());
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.json()["code"], "bmx_login_required");
  EXPECT_NE(response.json()["authorize_url"].get<std::string>().find("state="), std::string::npos);

  // Property-only longer than the setting (24 h by default).
  auto long_visit = property_only();
  long_visit["ends_at"] = in_hours(25);
  response = add_visitor(ana, long_visit);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.json()["code"], "duration_exceeds_limit");
  long_visit["access"] = "property_wide";
  long_visit["email"] = "vera@example.com";
  EXPECT_EQ(add_visitor(ana, long_visit).status, 201);  // the limit is for property-only

  auto wide = property_only();
  wide["access"] = "property_wide";
  response = add_visitor(ana, wide);
  EXPECT_EQ(response.json()["code"], "email_required");

  auto bad_phone = property_only("555-1234");
  response = add_visitor(ana, bad_phone);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.json()["errors"][0]["field"], "phone");

  auto backwards = property_only();
  backwards["ends_at"] = in_hours(-1);
  response = add_visitor(ana, backwards);
  EXPECT_EQ(response.status, 422);
  auto garbled = property_only();
  garbled["starts_at"] = "tomorrow";
  EXPECT_EQ(add_visitor(ana, garbled).json()["errors"][0]["field"], "starts_at");

  // Staff do not add "their own" visitors.
  EXPECT_EQ(add_visitor(world.staff(property, "staff"), property_only()).status, 403);

  // The manager turns visitor access off: 403 for everyone's new visitors.
  auto manager = world.staff(property, "manager");
  world.client().send("PATCH", "/v1/properties/" + property + "/settings",
                      R"({"allow_visitor_access": false})", manager.auth());
  response = add_visitor(ana, property_only());
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.json()["code"], "visitor_access_disabled");
  // Nothing was created by any refusal.
  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "1");
}

TEST_F(VisitorsApi, ARetriedCreateWithTheSameKeyCreatesOnce) {
  const auto body = property_only();
  auto first = add_visitor(ana, body, "visit-1");
  auto again = add_visitor(ana, body, "visit-1");
  ASSERT_EQ(first.status, 201);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.json()["id"], first.json()["id"]);
  auto other = body;
  other["name"] = "Someone Else";
  EXPECT_EQ(add_visitor(ana, other, "visit-1").json()["code"], "idempotency_key_reused");
  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "1");
}

TEST_F(VisitorsApi, APropertyWideVisitorActivatesAnAccountAndSeesCredentials) {
  auto body = property_only("+15550003333");
  body["access"] = "property_wide";
  body["email"] = "Wes@Example.com";
  auto created = add_visitor(ana, body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(created.json()["pass"].contains("url"));
  EXPECT_EQ(settled(ana, created.json()["id"])["pass"]["status"], "issued");

  nlohmann::json mail;
  ASSERT_TRUE(
      eventually([&] { return !(mail = sandbox.messages("email", "wes@example.com")).empty(); }));
  const std::string text = mail[0]["body"];
  EXPECT_NE(mail[0]["subject"].get<std::string>().find("invited you to The maple"),
            std::string::npos);
  EXPECT_NE(text.find("Ann Resident"), std::string::npos) << text;  // who
  EXPECT_FALSE(mail[0]["data"]["html"].is_null());                  // and an HTML part
  const auto at = text.find("token=");
  ASSERT_NE(at, std::string::npos) << text;
  const auto token = text.substr(at + 6, 64);
  auto visitor = world.activate("wes@example.com", token);

  sync(server);
  auto credentials = world.client().get("/v1/me/credentials", visitor.auth()).json()["data"];
  ASSERT_EQ(credentials.size(), 1u);
  EXPECT_EQ(credentials[0]["property_id"], property);
  EXPECT_EQ(credentials[0]["valid_now"], true);
  EXPECT_EQ(credentials[0]["qr_payload"].get<std::string>().size(), 6u);
  EXPECT_EQ(scan(credentials[0]["qr_payload"]).json()["granted"], true);
  // Someone else's credentials are not in anyone else's list.
  EXPECT_TRUE(world.client().get("/v1/me/credentials", ana.auth()).json()["data"].empty());
}

TEST_F(VisitorsApi, StaffVisitorsGetAKeyOnThePlaceholderThatBmxEmails) {
  auto staff = world.staff(property, "staff");
  auto created = world.client().post("/v1/properties/" + property + "/visitors",
                                     nlohmann::json{{"name", "Dee Delivery"},
                                                    {"email", "dee@example.com"},
                                                    {"starts_at", in_hours(1)},
                                                    {"ends_at", in_hours(2)}}
                                         .dump(),
                                     staff.auth());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto visitor_id = created.json()["id"].get<std::string>();
  ASSERT_TRUE(eventually([&] {
    return query("SELECT status FROM passes WHERE visitor_id = '" + visitor_id + "'") == "issued";
  }));
  const auto keychain = bmx_keychain(visitor_id);
  EXPECT_EQ(keychain["tenant_id"], building["units"][2]["tenants"][0]["id"]);  // the placeholder
  EXPECT_EQ(keychain["starts_at"], created.json()["starts_at"]);
  EXPECT_EQ(keychain["ends_at"], created.json()["ends_at"]);

  nlohmann::json mail;
  ASSERT_TRUE(eventually(
      [&] { return (mail = sandbox.messages("email", "dee@example.com")).size() >= 2; }));
  bool from_bmx = false, activation = false;
  for (const auto& message : mail) {
    from_bmx = from_bmx || !message["data"].value("qr_code_url", "").empty();
    activation =
        activation || message["body"].get<std::string>().find("token=") != std::string::npos;
  }
  EXPECT_TRUE(from_bmx) << mail;
  EXPECT_TRUE(activation) << mail;

  auto listed = world.client().get("/v1/properties/" + property + "/visitors", staff.auth());
  EXPECT_EQ(listed.json()["data"].size(), 1u);
  EXPECT_EQ(world.client()
                .send("DELETE", "/v1/properties/" + property + "/visitors/" + visitor_id, "",
                      staff.auth())
                .status,
            204);
  EXPECT_EQ(query("SELECT status FROM passes"), "revoked");
}

TEST_F(VisitorsApi, ABmxOutageDelaysThePassWhichIsThenIssuedOnceWithOneSms) {
  sandbox.fault({{"path_prefix", "/v4/keychains"}, {"status", 503}, {"times", 1000}});
  auto created = add_visitor(ana, property_only("+15550004444"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["pass"]["status"], "pending");
  // A few attempts fail while BMX is down; the pass waits.
  ASSERT_TRUE(eventually([&] {
    return query("SELECT attempts FROM outbox WHERE payload->>'kind' = 'issue_pass'") != "0";
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(world.client()
                .get("/v1/me/visitors/" + created.json()["id"].get<std::string>(), ana.auth())
                .json()["pass"]["status"],
            "pending");
  EXPECT_TRUE(sandbox.messages("sms", "+15550004444").empty());

  // BMX is back. The outbox retries with backoff; let that time pass.
  sandbox.client().send("DELETE", "/_sandbox/faults", "", {});
  query("UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending' RETURNING 1");
  server.app().dispatcher().wake();
  EXPECT_EQ(settled(ana, created.json()["id"])["pass"]["status"], "issued");
  ASSERT_TRUE(eventually([&] { return !sandbox.messages("sms", "+15550004444").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sandbox.messages("sms", "+15550004444").size(), 1u);
  auto keychains = sandbox.client()
                       .get("/v4/keychains", {{"Authorization", "Bearer " + admin_bmx_token()}})
                       .json()["data"];
  EXPECT_EQ(keychains.size(), 1u);
}

TEST_F(VisitorsApi, ABmxRefusalFailsThePassAndTellsTheResident) {
  world.client().post("/v1/me/devices", R"({"platform":"android","push_token":"fcm-ana-2"})",
                      ana.auth());
  sandbox.fault({{"method", "POST"}, {"path_prefix", "/v4/keychains"}, {"status", 422}});
  auto created = add_visitor(ana, property_only("+15550005555"));
  ASSERT_EQ(created.status, 201);
  const auto visitor = settled(ana, created.json()["id"]);
  EXPECT_EQ(visitor["pass"]["status"], "failed");
  EXPECT_EQ(visitor["pass"]["failure_code"], "bmx_rejected");
  EXPECT_FALSE(visitor["pass"]["failure_reason"].get<std::string>().empty());
  nlohmann::json pushes;
  ASSERT_TRUE(
      eventually([&] { return !(pushes = sandbox.messages("push", "fcm-ana-2")).empty(); }));
  EXPECT_EQ(pushes[0]["data"]["payload"]["title"], "Visitor pass not issued");
  EXPECT_TRUE(sandbox.messages("sms", "+15550005555").empty());
  auto page = world.client().get(page_path(created.json()));
  EXPECT_EQ(page.body.find("<svg"), std::string::npos);
}

TEST_F(VisitorsApi, MovingOutAndClosingVisitorAccessRevokePasses) {
  auto first = add_visitor(ana, property_only()).json();
  EXPECT_EQ(settled(ana, first["id"])["pass"]["status"], "issued");
  auto moved = world.client().post("/v1/residents/" + ana.residency_id + "/move-out", "",
                                   world.admin().auth());
  ASSERT_EQ(moved.status, 200);
  EXPECT_EQ(world.client().get(page_path(first)).status, 410);
  ASSERT_TRUE(eventually([&] {
    return query("SELECT count(*) FROM passes WHERE bmx_deleted_at IS NOT NULL") == "1";
  }));

  auto ben = linked_resident("ben@bmx.test");
  auto second = add_visitor(ben, property_only()).json();
  EXPECT_EQ(settled(ben, second["id"])["pass"]["status"], "issued");
  auto manager = world.staff(property, "manager");
  const auto settings = "/v1/properties/" + property + "/settings";
  // Turning access off alone keeps existing passes...
  world.client().send("PATCH", settings, R"({"allow_visitor_access": false})", manager.auth());
  EXPECT_EQ(world.client().get(page_path(second)).status, 200);
  EXPECT_EQ(world.client()
                .send("PATCH", settings,
                      R"({"allow_visitor_access": true, "revoke_existing": true})", manager.auth())
                .status,
            422);
  // ...and with revoke_existing every active pass goes.
  auto closed = world.client().send("PATCH", settings,
                                    R"({"allow_visitor_access": false, "revoke_existing": true})",
                                    manager.auth());
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(world.client().get(page_path(second)).status, 410);
  EXPECT_EQ(query("SELECT count(*) FROM audit_events WHERE action = 'passes.revoked_all'"), "1");
}

// Per-resident limits (CONTRACT.md, "Pass kinds, limits and the deny list").
TEST_F(VisitorsApi, AResidentsPassesKeepToThePropertysLimits) {
  auto manager = world.staff(property, "manager");
  const auto settings = "/v1/properties/" + property + "/settings";
  const auto patch = [&](const std::string& body) {
    return world.client().send("PATCH", settings, body, manager.auth());
  };
  for (const char* bad :
       {R"({"max_active_passes_per_resident": 0})", R"({"max_active_passes_per_resident": 1001})",
        R"({"max_passes_per_resident_per_day": "3"})",
        R"({"max_passes_per_resident_per_day": 2.5})"}) {
    auto refused = patch(bad);
    EXPECT_EQ(refused.status, 422) << bad;
  }
  EXPECT_EQ(world.client()
                .send("PATCH", settings, R"({"max_active_passes_per_resident": 2})", ana.auth())
                .status,
            403);
  auto limited = patch(R"({"max_active_passes_per_resident": 2})");
  ASSERT_EQ(limited.status, 200) << limited.body;
  EXPECT_EQ(limited.json()["max_active_passes_per_resident"], 2);
  EXPECT_TRUE(limited.json()["max_passes_per_resident_per_day"].is_null());

  const auto first = add_visitor(ana, property_only("+15550002001"));
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(add_visitor(ana, property_only("+15550002002")).status, 201);
  auto over = add_visitor(ana, property_only("+15550002003"));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.json()["code"], "active_pass_limit_reached");
  // The limit is per resident: Ben still has room.
  auto ben = linked_resident("ben@bmx.test");
  EXPECT_EQ(add_visitor(ben, property_only("+15550002101")).status, 201);
  // A revoked pass is not active any more.
  const auto visitor_id = first.json()["id"].get<std::string>();
  ASSERT_EQ(world.client().send("DELETE", "/v1/me/visitors/" + visitor_id, "", ana.auth()).status,
            204);
  ASSERT_EQ(add_visitor(ana, property_only("+15550002004")).status, 201);

  // null lifts a limit; Ana has added 3 today, so a daily limit of 4 leaves one.
  auto daily = patch(R"({"max_active_passes_per_resident": null,
                         "max_passes_per_resident_per_day": 4})");
  ASSERT_EQ(daily.status, 200) << daily.body;
  EXPECT_TRUE(daily.json()["max_active_passes_per_resident"].is_null());
  EXPECT_EQ(daily.json()["max_passes_per_resident_per_day"], 4);
  EXPECT_EQ(add_visitor(ana, property_only("+15550002005")).status, 201);
  over = add_visitor(ana, property_only("+15550002006"));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.json()["code"], "daily_pass_limit_reached");
  EXPECT_EQ(query("SELECT count(*) FROM visitors WHERE host_user_id = '" + ana.user_id + "'"), "4");
}

// Two creates at once cannot both take the last place under a limit.
TEST_F(VisitorsApi, ConcurrentCreatesCannotBothPassALimit) {
  auto manager = world.staff(property, "manager");
  ASSERT_EQ(world.client()
                .send("PATCH", "/v1/properties/" + property + "/settings",
                      R"({"max_active_passes_per_resident": 1})", manager.auth())
                .status,
            200);
  sync(server);
  constexpr int kRacers = 6;
  std::atomic<int> ready{0};
  std::vector<int> statuses(kRacers);
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      auto client = server.client();
      const auto body = property_only("+1555000300" + std::to_string(i)).dump();
      ++ready;
      while (ready < kRacers) std::this_thread::yield();
      statuses[i] = client.post("/v1/me/visitors", body, ana.auth()).status;
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), kRacers - 1);
  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "1");
}

TEST_F(VisitorsApi, ResidentsSeeOnlyTheirOwnVisitors) {
  auto created = add_visitor(ana, property_only()).json();
  auto ben = linked_resident("ben@bmx.test");
  const auto path = "/v1/me/visitors/" + created["id"].get<std::string>();
  EXPECT_EQ(world.client().get(path, ben.auth()).status, 404);
  EXPECT_EQ(world.client().send("DELETE", path, "", ben.auth()).status, 404);
  EXPECT_TRUE(world.client().get("/v1/me/visitors", ben.auth()).json()["data"].empty());
  for (int i = 0; i < 2; ++i) add_visitor(ana, property_only());
  auto page = world.client().get("/v1/me/visitors?limit=2", ana.auth()).json();
  ASSERT_EQ(page["data"].size(), 2u);
  auto rest = world.client()
                  .get("/v1/me/visitors?limit=2&cursor=" + page["next_cursor"].get<std::string>(),
                       ana.auth())
                  .json();
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_EQ(rest["data"][0]["id"], created["id"]);  // newest first
  EXPECT_TRUE(rest["next_cursor"].is_null());
}

TEST_F(VisitorsApi, ThePassPageHasAPageForEveryStateAndNeverAQrOutsideTheWindow) {
  auto later = property_only();
  later["starts_at"] = in_hours(20);
  later["ends_at"] = in_hours(22);
  auto created = add_visitor(ana, later).json();
  EXPECT_EQ(settled(ana, created["id"])["pass"]["status"], "issued");
  auto page = world.client().get(page_path(created));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("not valid yet"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("America/New_York"), std::string::npos);
  EXPECT_EQ(page.body.find("<svg"), std::string::npos);
  EXPECT_EQ(world.client().get(page_path(created) + "/qr.svg").status, 404);

  server.clock().advance(std::chrono::hours(21));
  page = world.client().get(page_path(created));
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  server.clock().advance(std::chrono::hours(2));
  page = world.client().get(page_path(created));
  EXPECT_EQ(page.status, 410);
  EXPECT_NE(page.body.find("expired"), std::string::npos);
  EXPECT_EQ(page.body.find("<svg"), std::string::npos);

  EXPECT_EQ(world.client().get("/p/" + std::string(32, '0')).status, 404);
  EXPECT_EQ(world.client().get("/p/not-a-token").status, 404);
  int limited = 0;
  for (int i = 0; i < 25; ++i) {
    limited +=
        world.client().get("/p/" + std::string(31, 'f') + std::to_string(i % 10)).status == 429;
  }
  EXPECT_GT(limited, 0);
}

// With BMX away for longer than the outbox keeps trying, the pass fails and the
// resident is told, instead of waiting "pending" for ever.
TEST(VisitorsWhenBmxStaysDown, TheLastAttemptFailsThePassAndTellsTheResident) {
  auto& sandbox = SandboxProcess::shared();
  sandbox.reset();
  TestServer server(testing::TestServerOptions{
      .configure = [](app::Config& config) { config.outbox.max_attempts = 2; },
      .bmx_sandbox = true});
  World world(server);
  testing::BmxWorld bmx(world.client(), sandbox);
  const auto property = world.property("downhill");
  bmx.set_up_site(property, bmx.seed_building("downhill", {{"dana@bmx.test", "mobile_app"}}),
                  world.admin().access_token);
  auto dana = world.resident(property);
  bmx.link(dana.access_token, "dana@bmx.test");
  world.client().post("/v1/me/devices", R"({"platform":"android","push_token":"fcm-dana-1"})",
                      dana.auth());
  sandbox.fault({{"path_prefix", "/v4/keychains"}, {"status", 503}, {"times", 1000}});
  server.clock().set(std::chrono::system_clock::now());
  auto created = world.client().post("/v1/me/visitors",
                                     nlohmann::json{{"name", "Dee"},
                                                    {"phone", "+15550006000"},
                                                    {"access", "property_only"},
                                                    {"starts_at", in_hours(0)},
                                                    {"ends_at", in_hours(1)}}
                                         .dump(),
                                     dana.auth());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto path = "/v1/me/visitors/" + created.json()["id"].get<std::string>();
  nlohmann::json visitor;
  for (int i = 0; i < 100; ++i) {
    testing::query_value(server.database_url(),
                         "UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending' "
                         "RETURNING 1");
    server.app().dispatcher().wake();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    visitor = world.client().get(path, dana.auth()).json();
    if (visitor["pass"]["status"] != "pending") break;
  }
  EXPECT_EQ(visitor["pass"]["status"], "failed") << visitor;
  EXPECT_EQ(visitor["pass"]["failure_code"], "bmx_unavailable");
  for (int i = 0; i < 100 && sandbox.messages("push", "fcm-dana-1").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(sandbox.messages("push", "fcm-dana-1").size(), 1u);
}

// Someone who lives at two properties links BMX at each and invites visitors to
// each: a second home takes nothing from the first (security review, issue 12).
TEST_F(VisitorsApi, AResidentOfTwoPropertiesActsAtEach) {
  const auto oak = world.property("oak");
  const auto oak_building = sandbox.seed_building(nlohmann::json::parse(R"({
      "name": "Oak House", "admins": ["boss@bmx.test"],
      "units": [
        {"label": "7", "tenants": [{"first_name": "Ana", "last_name": "Garcia",
                                    "email": "ana.oak@bmx.test"}]},
        {"label": "frontdoor", "tenants": [{"first_name": "Visitors", "last_name": "Oak",
                                            "email": "butterflymx+oak@frontdoor.example"}]}]})"));
  testing::BmxWorld(world.client(), sandbox)
      .set_up_site(oak, oak_building, world.admin().access_token);
  auto oak_manager = world.staff(oak, "manager");
  auto moved_in = world.client().post("/v1/properties/" + oak + "/residents",
                                      nlohmann::json{{"unit_id", world.unit(oak_manager, oak, "7")},
                                                     {"first_name", "Ana"},
                                                     {"last_name", "Garcia"},
                                                     {"email", ana.email},
                                                     {"phone", "+15550002222"}}
                                          .dump(),
                                      oak_manager.auth());
  ASSERT_EQ(moved_in.status, 201) << moved_in.body;
  // Her link at Maple still stands; she links Oak as well.
  auto maple_link = world.client().get("/v1/me/bmx?property_id=" + property, ana.auth()).json();
  EXPECT_EQ(maple_link["linked"], true) << maple_link;
  testing::BmxWorld(world.client(), sandbox).link(ana.access_token, "ana.oak@bmx.test", oak);
  auto oak_link = world.client().get("/v1/me/bmx?property_id=" + oak, ana.auth()).json();
  EXPECT_EQ(oak_link["linked"], true);
  EXPECT_NE(oak_link["tenant_id"], maple_link["tenant_id"]);

  // Without naming the property she is asked to; named, each pass is issued at its own
  // building for its own tenant.
  EXPECT_EQ(add_visitor(ana, property_only()).json()["code"], "property_required");
  std::map<std::string, std::string> visitor_at;
  for (const auto& home : {property, oak}) {
    auto body = property_only();
    body["property_id"] = home;
    auto created = add_visitor(ana, body);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json()["property_id"], home);
    visitor_at[home] = created.json()["id"];
    EXPECT_EQ(settled(ana, visitor_at[home])["pass"]["status"], "issued");
  }
  EXPECT_EQ(bmx_keychain(visitor_at[property])["tenant_id"], maple_link["tenant_id"]);
  EXPECT_EQ(bmx_keychain(visitor_at[oak])["tenant_id"], oak_link["tenant_id"]);
  // Unlinking one home leaves the other.
  EXPECT_EQ(world.client().send("DELETE", "/v1/me/bmx", "", ana.auth()).json()["code"],
            "property_required");
  EXPECT_EQ(world.client().send("DELETE", "/v1/me/bmx?property_id=" + oak, "", ana.auth()).status,
            204);
  EXPECT_EQ(world.client().get("/v1/me/bmx?property_id=" + oak, ana.auth()).json()["linked"],
            false);
  EXPECT_EQ(world.client().get("/v1/me/bmx?property_id=" + property, ana.auth()).json()["linked"],
            true);
}

}  // namespace
}  // namespace frontdoor
