// Visitors through frontdoor's real API with the real bmx-sandbox behind it:
// every rule and error code of docs/api.md, the three flows, limits, the deny
// list and revocation. How passes are issued at BMX, used and shown on their
// page is passes_api_test.cpp's.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "visitors_fixture.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::eventually;
using testing::in_hours;
using testing::march_mornings;
using testing::sync;

class VisitorsApi : public testing::VisitorsFixture {};

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

// Per-resident limits (docs/api.md, "Pass kinds, limits and the deny list").
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

// ---------------------------------------------------------------------------
// Pass kinds (docs/api.md, "Pass kinds, limits and the deny list")

TEST_F(VisitorsApi, EveryPassKindRuleHasItsCode) {
  const auto refused = [&](nlohmann::json body, const std::string& code, const std::string& field) {
    SCOPED_TRACE(body.dump());
    const auto response = add_visitor(ana, body);
    EXPECT_EQ(response.status, 422) << response.body;
    EXPECT_EQ(response.json()["code"], code) << response.body;
    bool named = false;
    const auto problem = response.json();
    for (const auto& error : problem["errors"]) named = named || error["field"] == field;
    EXPECT_TRUE(named) << field << " is not named in " << response.body;
  };
  const auto weekly = [&](const nlohmann::json& change) {
    auto schedule = march_mornings();
    schedule.merge_patch(change);
    return nlohmann::json{{"name", "Cleo"},
                          {"phone", "+15550003333"},
                          {"access", "property_only"},
                          {"kind", "recurring"},
                          {"schedule", schedule}};
  };
  refused(weekly({{"to", "08:00"}}), "schedule_invalid", "schedule.to");
  refused(weekly({{"from", "9am"}}), "schedule_invalid", "schedule.from");
  refused(weekly({{"days", {"monday"}}}), "schedule_invalid", "schedule.days");
  refused(weekly({{"days", {"mon", "mon"}}}), "schedule_invalid", "schedule.days");
  refused(weekly({{"days", nlohmann::json::array()}}), "schedule_invalid", "schedule.days");
  refused(weekly({{"starts_on", "2027-02-30"}}), "schedule_invalid", "schedule.starts_on");
  refused(weekly({{"starts_on", "2026-01-05"}}), "schedule_invalid", "schedule.starts_on");
  refused(weekly({{"ends_on", "2028-03-01"}}), "schedule_invalid", "schedule.ends_on");
  refused(weekly({{"ends_on", "2027-02-01"}}), "schedule_invalid", "schedule.ends_on");
  refused(weekly({{"every", "week"}}), "schedule_invalid", "schedule.every");
  auto no_schedule = weekly(nlohmann::json::object());
  no_schedule.erase("schedule");
  refused(no_schedule, "schedule_invalid", "schedule");
  auto timed_weekly = weekly(nlohmann::json::object());
  timed_weekly["starts_at"] = in_hours(0);
  refused(timed_weekly, "validation_failed", "starts_at");
  auto capped_weekly = weekly(nlohmann::json::object());
  capped_weekly["max_uses"] = 3;
  refused(capped_weekly, "validation_failed", "max_uses");

  auto window = property_only();
  window["schedule"] = march_mornings();
  refused(window, "validation_failed", "schedule");
  for (int bad : {0, 101}) {
    auto capped = property_only();
    capped["max_uses"] = bad;
    refused(capped, "validation_failed", "max_uses");
  }
  auto once = property_only();
  once["kind"] = "one_time";
  once["max_uses"] = 2;
  refused(once, "validation_failed", "max_uses");
  auto odd = property_only();
  odd["kind"] = "forever";
  refused(odd, "validation_failed", "kind");
  auto wide_courier = property_only();
  wide_courier["kind"] = "delivery";
  wide_courier["access"] = "property_wide";
  wide_courier["email"] = "courier@example.com";
  refused(wide_courier, "validation_failed", "access");
  auto nameless = property_only();
  nameless["kind"] = "delivery";
  nameless.erase("name");
  nameless.erase("phone");
  refused(nameless, "validation_failed", "phone");

  // A property-only day longer than the property allows.
  auto manager = world.staff(property, "manager");
  EXPECT_EQ(world.client()
                .send("PATCH", "/v1/properties/" + property + "/settings",
                      R"({"property_only_visitor_max_hours": 2})", manager.auth())
                .status,
            200);
  refused(weekly(nlohmann::json::object()), "schedule_invalid", "schedule.to");
  auto wide_weekly = weekly(nlohmann::json::object());
  wide_weekly["access"] = "property_wide";
  wide_weekly["email"] = "cleo@example.com";
  EXPECT_EQ(add_visitor(ana, wide_weekly).status, 201);  // the limit is for property-only

  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "1");
}

// Staff add a courier's pass too: the courier gets the page by SMS, on the
// site's placeholder tenant.
TEST_F(VisitorsApi, StaffAddADeliveryPassThatIsTexted) {
  auto staff = world.staff(property, "staff");
  auto created = world.client().post("/v1/properties/" + property + "/visitors",
                                     nlohmann::json{{"kind", "delivery"},
                                                    {"phone", "+15550006666"},
                                                    {"starts_at", in_hours(0)},
                                                    {"ends_at", in_hours(1)}}
                                         .dump(),
                                     staff.auth());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto visitor_id = created.json()["id"].get<std::string>();
  EXPECT_EQ(created.json()["access"], "property_only");
  ASSERT_TRUE(eventually([&] {
    return query("SELECT status FROM passes WHERE visitor_id = '" + visitor_id + "'") == "issued";
  }));
  const auto keychain = bmx_keychain(visitor_id);
  EXPECT_EQ(keychain["type"], "delivery_pass");
  EXPECT_EQ(keychain["tenant_id"], building["units"][2]["tenants"][0]["id"]);
  nlohmann::json sms;
  ASSERT_TRUE(eventually([&] { return !(sms = sandbox.messages("sms", "+15550006666")).empty(); }));
  EXPECT_NE(sms[0]["body"].get<std::string>().find("/p/"), std::string::npos);
  EXPECT_EQ(query("SELECT count(*) FROM users WHERE phone = '+15550006666'"), "0");
}

// ---------------------------------------------------------------------------
// The deny list

TEST_F(VisitorsApi, TheDenyListRefusesMatchingVisitorsNeutrallyForResidents) {
  auto manager = world.staff(property, "manager");
  auto staff = world.staff(property, "staff");
  const std::string list = "/v1/properties/" + property + "/deny-list";
  const auto deny = [&](const Account& who, const nlohmann::json& body) {
    return world.client().post(list, body.dump(), who.auth());
  };
  auto by_name =
      deny(manager, {{"name", "  Jos\u00e9   \u00c1lvarez "}, {"reason", "Trespass notice"}});
  ASSERT_EQ(by_name.status, 201) << by_name.body;
  auto by_phone = deny(manager, {{"phone", "+1 (555) 999-0000"}, {"reason", "Harassment"}});
  ASSERT_EQ(by_phone.status, 201) << by_phone.body;
  EXPECT_EQ(by_phone.json()["phone"], "+15559990000");
  auto by_email = deny(manager, {{"email", "Mallory@Example.com"}, {"reason", "Fraud"}});
  ASSERT_EQ(by_email.status, 201) << by_email.body;
  EXPECT_EQ(by_email.json()["email"], "mallory@example.com");

  // Bad entries change nothing; only managers and admins write, staff read.
  EXPECT_EQ(deny(manager, {{"reason", "nobody named"}}).json()["errors"][0]["code"],
            "one_required");
  EXPECT_EQ(deny(manager, {{"name", "No Reason"}}).status, 422);
  EXPECT_EQ(deny(manager, {{"phone", "12345"}, {"reason", "x"}}).status, 422);
  EXPECT_EQ(deny(manager, {{"name", "Line\nbreak"}, {"reason", "x"}}).status, 422);
  EXPECT_EQ(deny(staff, {{"name", "Staff Entry"}, {"reason", "x"}}).status, 403);
  EXPECT_EQ(deny(ana, {{"name", "Resident Entry"}, {"reason", "x"}}).status, 403);
  const auto listed = world.client().get(list, staff.auth());
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["data"].size(), 3u);
  EXPECT_EQ(world.client().get(list, ana.auth()).status, 403);

  // A resident learns only "no": not the reason, not which detail matched.
  const auto refused_for_ana = [&](nlohmann::json body) {
    SCOPED_TRACE(body.dump());
    const auto response = add_visitor(ana, body);
    EXPECT_EQ(response.status, 422) << response.body;
    EXPECT_EQ(response.json()["code"], "visitor_not_allowed");
    for (const char* secret : {"Trespass", "Harassment", "Fraud", "deny"}) {
      EXPECT_EQ(response.body.find(secret), std::string::npos) << response.body;
    }
    EXPECT_TRUE(response.json().value("errors", nlohmann::json::array()).empty());
    EXPECT_FALSE(response.json().contains("deny_list_entry_id"));
  };
  auto named = property_only();
  named["name"] = "JOSE alvarez";
  refused_for_ana(named);
  refused_for_ana(property_only("+15559990000"));
  auto mailed = property_only();
  mailed["access"] = "property_wide";
  mailed["email"] = "mallory@example.com";
  refused_for_ana(mailed);
  auto courier = nlohmann::json{{"kind", "delivery"},
                                {"phone", "+15559990000"},
                                {"starts_at", in_hours(0)},
                                {"ends_at", in_hours(1)}};
  refused_for_ana(courier);
  auto namesake = property_only();
  namesake["name"] = "Jose Alvarez Junior";
  EXPECT_EQ(add_visitor(ana, namesake).status, 201);  // a whole name, not a part of one

  // Staff see why.
  const auto by_staff = world.client().post("/v1/properties/" + property + "/visitors",
                                            nlohmann::json{{"name", "M. M."},
                                                           {"email", "MALLORY@example.com"},
                                                           {"starts_at", in_hours(1)},
                                                           {"ends_at", in_hours(2)}}
                                                .dump(),
                                            staff.auth());
  EXPECT_EQ(by_staff.status, 422) << by_staff.body;
  EXPECT_EQ(by_staff.json()["code"], "visitor_not_allowed");
  EXPECT_NE(by_staff.json()["detail"].get<std::string>().find("Fraud"), std::string::npos);
  EXPECT_EQ(by_staff.json()["deny_list_entry_id"], by_email.json()["id"]);

  // Every refusal is in the audit trail, and the managers hear of it.
  EXPECT_EQ(query("SELECT count(*) FROM audit_events WHERE action = 'visitor.denied'"), "5");
  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "1");
  nlohmann::json mail;
  const auto alerts = [&] {
    mail = sandbox.messages("email", manager.email);
    return std::count_if(mail.begin(), mail.end(), [](const nlohmann::json& message) {
      return message["subject"].get<std::string>().find("deny list") != std::string::npos;
    });
  };
  // At most one e-mail per entry an hour (issue 29): the phone entry and the
  // e-mail entry refused two visitors each, and each e-mailed once.
  ASSERT_TRUE(eventually([&] { return alerts() == 3; })) << mail;

  // Removed from the list: the visitor may be invited again.
  const std::string entry = by_phone.json()["id"];
  EXPECT_EQ(world.client().send("DELETE", list + "/" + entry, "", staff.auth()).status, 403);
  EXPECT_EQ(world.client().send("DELETE", list + "/" + entry, "", manager.auth()).status, 204);
  EXPECT_EQ(world.client().send("DELETE", list + "/" + entry, "", manager.auth()).status, 404);
  EXPECT_EQ(add_visitor(ana, property_only("+15559990000")).status, 201);
}

// Issue 29: Sun 02:00-03:00 on the night the clocks skip that hour answered 500.
TEST_F(VisitorsApi, AWeeklyPassWhoseOnlyWindowTheClocksSkipIsRefusedWithTheReason) {
  auto skipped = nlohmann::json{{"name", "Night Nurse"},
                                {"phone", "+15550003333"},
                                {"access", "property_only"},
                                {"kind", "recurring"},
                                {"schedule",
                                 {{"days", {"sun"}},
                                  {"from", "02:00"},
                                  {"to", "03:00"},
                                  {"starts_on", "2027-03-14"},
                                  {"ends_on", "2027-03-14"}}}};
  const auto response = add_visitor(ana, skipped);
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(response.json()["code"], "schedule_invalid");
  EXPECT_EQ(response.json()["errors"][0]["code"], "skipped_by_clock_change");
  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "0");
}

// Issue 29: a typo in an option must never create a pass without it.
TEST_F(VisitorsApi, AnUnknownFieldIsRefusedByNameAndCreatesNothing) {
  auto typo = property_only();
  typo["max_use"] = 1;
  const auto response = add_visitor(ana, typo);
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(response.json()["code"], "unknown_field");
  EXPECT_EQ(response.json()["errors"][0]["field"], "max_use");
  auto nested = nlohmann::json{{"name", "Cleo Cleaner"},
                               {"phone", "+15550003333"},
                               {"access", "property_only"},
                               {"kind", "recurring"},
                               {"schedule", march_mornings()}};
  nested["schedule"]["form"] = "09:00";
  EXPECT_EQ(add_visitor(ana, nested).status, 422);
  EXPECT_EQ(query("SELECT count(*) FROM visitors"), "0");
}

// Issue 29: a ban must reach the passes already given, and disguises of the
// name (no-break, zero-width and em spaces, a full stop, a missing space,
// full-width letters) or of the mailbox (+tags, Gmail's dots) must not get past it.
TEST_F(VisitorsApi, ADenyListEntryRevokesMatchingPassesAndSeesThroughDisguises) {
  auto manager = world.staff(property, "manager");
  const std::string list = "/v1/properties/" + property + "/deny-list";
  auto guest = property_only();
  guest["name"] = "Ana-Maria Ruiz.";
  const auto before = add_visitor(ana, guest).json();
  ASSERT_EQ(settled(ana, before["id"])["pass"]["status"], "issued");
  const auto pin = pin_of(before["id"]);
  auto unrelated = property_only("+15550007777");
  unrelated["name"] = "Someone Else";
  const auto kept = add_visitor(ana, unrelated).json();

  const auto added = world.client().post(
      list, R"({"name": "ana maria ruiz", "email": "mallory@gmail.com", "reason": "Theft"})",
      manager.auth());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json()["revoked_visitor_ids"], nlohmann::json::array({before["id"]}));
  const auto read = [&](const nlohmann::json& v) {
    return world.client().get("/v1/me/visitors/" + v["id"].get<std::string>(), ana.auth()).json();
  };
  EXPECT_EQ(read(before)["pass"]["status"], "revoked");
  EXPECT_NE(read(kept)["pass"]["status"], "revoked");
  // And its key is gone at BMX.
  ASSERT_TRUE(eventually([&] { return scan(pin).json()["granted"] == false; }));

  for (const std::string disguise :
       {"Ana\u00a0Maria Ruiz", "Ana\u200bMaria\u200b Ruiz", "Ana\u2003Maria\u2003Ruiz",
        "Ana Maria Ruiz.", "AnaMaria Ruiz", "\uff21\uff4e\uff41 Maria Ruiz", "ANA-MARÍA RUIZ"}) {
    auto body = property_only();
    body["name"] = disguise;
    EXPECT_EQ(add_visitor(ana, body).json()["code"], "visitor_not_allowed") << disguise;
  }
  for (const std::string mailbox : {"mallory+party@gmail.com", "m.a.l.l.o.r.y@googlemail.com"}) {
    auto body = property_only();
    body["name"] = "M";
    body["access"] = "property_wide";
    body["email"] = mailbox;
    EXPECT_EQ(add_visitor(ana, body).json()["code"], "visitor_not_allowed") << mailbox;
  }
  // A courier who gives the banned name is refused too.
  const auto courier = add_visitor(ana, {{"kind", "delivery"},
                                         {"name", "Ana Maria Ruiz"},
                                         {"phone", "+15550008888"},
                                         {"starts_at", in_hours(0)},
                                         {"ends_at", in_hours(1)}});
  EXPECT_EQ(courier.json()["code"], "visitor_not_allowed") << courier.body;
  EXPECT_EQ(add_visitor(ana, {{"kind", "delivery"},
                              {"phone", "+15550008888"},
                              {"starts_at", in_hours(0)},
                              {"ends_at", in_hours(1)}})
                .status,
            201);

  // Ten refusals of one entry within the hour: the managers got one e-mail.
  nlohmann::json mail;
  const auto alerts = [&] {
    mail = sandbox.messages("email", manager.email);
    return std::count_if(mail.begin(), mail.end(), [](const nlohmann::json& message) {
      return message["subject"].get<std::string>().find("deny list") != std::string::npos;
    });
  };
  ASSERT_TRUE(eventually([&] { return alerts() >= 1; })) << mail;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(alerts(), 1) << mail;
  EXPECT_EQ(query("SELECT count(*) FROM audit_events WHERE action = 'visitor.denied'"), "10");
}

}  // namespace
}  // namespace frontdoor
