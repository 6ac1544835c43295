// Properties, units, settings, residents, devices, panels and the audit trail.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "../support/world.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::HttpResponse;
using testing::TestServer;
using testing::World;

std::vector<std::string> error_fields(const HttpResponse& response) {
  std::vector<std::string> fields;
  const auto body = response.json();
  for (const auto& error : body["errors"]) fields.push_back(error["field"]);
  return fields;
}

class PropertiesApi : public ::testing::Test {
 protected:
  PropertiesApi() : world(server), property(world.property("oak")) {}

  HttpResponse post(const std::string& path, const nlohmann::json& body, const Account& who) {
    return world.client().post(path, body.dump(), who.auth());
  }
  HttpResponse patch_settings(const nlohmann::json& body, const Account& who) {
    return world.client().send("PATCH", "/v1/properties/" + property + "/settings", body.dump(),
                               who.auth());
  }
  std::string base() const { return "/v1/properties/" + property; }

  TestServer server;
  World world;
  std::string property;
};

TEST_F(PropertiesApi, CreatingAPropertyValidatesEveryField) {
  auto admin = world.admin();
  auto bad =
      post("/v1/properties", {{"name", ""}, {"site_name", "Bad Name!"}, {"time_zone", 5}}, admin);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_fields(bad), (std::vector<std::string>{"name", "site_name", "time_zone"}));

  auto zone = post("/v1/properties",
                   {{"name", "Elm"}, {"site_name", "elm"}, {"time_zone", "Mars/Olympus"}}, admin);
  EXPECT_EQ(zone.status, 422);
  EXPECT_EQ(error_fields(zone), (std::vector<std::string>{"time_zone"}));

  auto taken = post("/v1/properties",
                    {{"name", "Another"}, {"site_name", "oak"}, {"time_zone", "UTC"}}, admin);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json()["code"], "site_name_taken");

  auto created = post(
      "/v1/properties",
      {{"name", "Elm Court"}, {"site_name", "elm-court"}, {"time_zone", "Europe/Paris"}}, admin);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["settings"]["property_only_visitor_max_hours"], 24);
  auto fetched =
      world.client().get("/v1/properties/" + std::string(created.json()["id"]), admin.auth());
  EXPECT_EQ(fetched.json()["time_zone"], "Europe/Paris");
}

TEST_F(PropertiesApi, UnitsAreUniquePerProperty) {
  auto staff = world.staff(property, "staff");
  auto created = post(base() + "/units", {{"label", "4B"}, {"floor", "4"}}, staff);
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(created.json()["floor"], "4");
  auto again = post(base() + "/units", {{"label", "4B"}}, staff);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["code"], "unit_exists");
  EXPECT_EQ(post(base() + "/units", {{"label", std::string(33, 'x')}}, staff).status, 422);
  auto listed = world.client().get(base() + "/units", staff.auth()).json()["data"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["label"], "4B");
}

TEST_F(PropertiesApi, UnitsArePagedLikeEveryList) {
  auto staff = world.staff(property, "staff");
  for (const char* label : {"3A", "1A", "2A"}) world.unit(staff, property, label);
  auto first = world.client().get(base() + "/units?limit=2", staff.auth()).json();
  ASSERT_EQ(first["data"].size(), 2u);
  EXPECT_EQ(first["data"][0]["label"], "1A");
  EXPECT_EQ(first["data"][1]["label"], "2A");
  ASSERT_TRUE(first["next_cursor"].is_string());
  auto rest =
      world.client()
          .get(base() + "/units?limit=2&cursor=" + std::string(first["next_cursor"]), staff.auth())
          .json();
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_EQ(rest["data"][0]["label"], "3A");
  EXPECT_TRUE(rest["next_cursor"].is_null());
  EXPECT_EQ(world.client().get(base() + "/units?limit=500", staff.auth()).status, 422);
  EXPECT_EQ(world.client().get(base() + "/units?cursor=WzFd", staff.auth()).status, 422);
}

TEST_F(PropertiesApi, IdempotencyKeyReplaysTheFirstAnswerOfACreate) {
  auto staff = world.staff(property, "staff");
  auto create = [&](const nlohmann::json& body, const std::string& key, const Account& who) {
    return world.client().post(
        base() + "/units", body.dump(),
        {{"Authorization", "Bearer " + who.access_token}, {"Idempotency-Key", key}});
  };
  auto first = create({{"label", "12A"}}, "retry-1", staff);
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = create({{"label", "12A"}}, "retry-1", staff);
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.json()["id"], first.json()["id"]);
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(world.client().get(base() + "/units", staff.auth()).json()["data"].size(), 1u);

  auto reused = create({{"label", "12B"}}, "retry-1", staff);
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(reused.json()["code"], "idempotency_key_reused");

  // Keys belong to their caller: the same key from someone else is a new request.
  auto manager = world.staff(property, "manager");
  auto other = create({{"label", "12C"}}, "retry-1", manager);
  EXPECT_EQ(other.status, 201);
  EXPECT_NE(other.json()["id"], first.json()["id"]);

  // A refusal is an answer too: it is replayed, not re-decided.
  auto refused = create({{"label", "12A"}}, "retry-2", staff);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(create({{"label", "12A"}}, "retry-2", staff).json()["code"], "unit_exists");

  auto bad_key = create({{"label", "12D"}}, std::string(300, 'k'), staff);
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_EQ(bad_key.json()["code"], "invalid_idempotency_key");
}

// Each route declares at registration whether its creates are idempotent
// (auth::Needs). Every create docs/api.md names replays its first answer; a
// panel's key is shown once and must never be kept, so panels do not.
TEST_F(PropertiesApi, EveryCreateTheContractNamesReplaysAndPanelsReplayWithoutTheirKey) {
  auto admin = world.admin();
  auto manager = world.staff(property, "manager");
  auto resident = world.resident(property, "Rae");
  auto unit = world.client().post(base() + "/units", nlohmann::json{{"label", "9Z"}}.dump(),
                                  manager.auth());
  ASSERT_EQ(unit.status, 201) << unit.body;
  struct Create {
    std::string path;
    nlohmann::json body;
    const Account* who;
  };
  const std::vector<Create> creates = {
      {"/v1/properties",
       {{"name", "Elm"}, {"site_name", "elm-replay"}, {"time_zone", "Europe/Paris"}},
       &admin},
      {base() + "/units", {{"label", "10Z"}}, &manager},
      {base() + "/staff",
       {{"email", "replay-staff@example.com"}, {"display_name", "Sam"}, {"role", "staff"}},
       &manager},
      {base() + "/residents",
       {{"email", "replay-resident@example.com"},
        {"first_name", "Ola"},
        {"last_name", "Berg"},
        {"phone", "+15551230000"},
        {"unit_id", unit.json()["id"]}},
       &manager},
      {"/v1/me/devices", {{"platform", "android"}, {"push_token", "replay-token-1"}}, &resident},
      // Without a linked BMX account the answer is a refusal; it is replayed too.
      {"/v1/me/visitors",
       {{"name", "Kim"},
        {"phone", "+15551239999"},
        {"access", "property_only"},
        {"starts_at", "2030-01-01T10:00:00Z"},
        {"ends_at", "2030-01-01T12:00:00Z"}},
       &resident},
      {base() + "/visitors",
       {{"name", "Kim"},
        {"email", "kim@example.com"},
        {"starts_at", "2030-01-01T10:00:00Z"},
        {"ends_at", "2030-01-01T12:00:00Z"}},
       &manager},
  };
  for (const auto& create : creates) {
    // One key per route: a key is the caller's, whatever route it was used on.
    const testing::HttpClient::Headers headers = {
        {"Authorization", "Bearer " + create.who->access_token},
        {"Idempotency-Key", "replay:" + create.path}};
    auto first = world.client().post(create.path, create.body.dump(), headers);
    ASSERT_LT(first.status, 500) << create.path << ": " << first.body;
    auto retry = world.client().post(create.path, create.body.dump(), headers);
    EXPECT_EQ(retry.status, first.status) << create.path;
    EXPECT_EQ(retry.body, first.body) << create.path;
    EXPECT_EQ(retry.header("idempotent-replayed"), "true") << create.path;
  }

  const testing::HttpClient::Headers headers = {{"Authorization", "Bearer " + manager.access_token},
                                                {"Idempotency-Key", "replay-panel"}};
  const auto body = nlohmann::json{{"name", "Side door"}}.dump();
  auto panel = world.client().post(base() + "/panels", body, headers);
  ASSERT_EQ(panel.status, 201) << panel.body;
  // Issue 29: a retried panel creation used to make a second panel whose key
  // nobody had seen; the replay now names the first panel, and its key, shown
  // once, is not in it (it was never stored).
  auto again = world.client().post(base() + "/panels", body, headers);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json()["id"], panel.json()["id"]);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_TRUE(again.json()["api_key"].is_null()) << again.body;
}

TEST_F(PropertiesApi, SettingsChangesAreValidatedAndAudited) {
  auto manager = world.staff(property, "manager");
  auto staff = world.staff(property, "staff");
  auto resident = world.resident(property);

  auto defaults = world.client().get(base() + "/settings", resident.auth());
  ASSERT_EQ(defaults.status, 200);
  EXPECT_EQ(defaults.json(), (nlohmann::json{{"allow_visitor_access", true},
                                             {"directory_mode", "residents"},
                                             {"front_desk_fallback", false},
                                             {"property_only_visitor_max_hours", 24},
                                             {"ring_timeout_seconds", 30},
                                             {"max_active_passes_per_resident", nullptr},
                                             {"max_passes_per_resident_per_day", nullptr}}));

  for (const auto& body :
       {nlohmann::json{{"property_only_visitor_max_hours", 0}},
        nlohmann::json{{"property_only_visitor_max_hours", 8761}},
        nlohmann::json{{"property_only_visitor_max_hours", "12"}},
        nlohmann::json{{"ring_timeout_seconds", 5}}, nlohmann::json{{"allow_visitor_access", "no"}},
        nlohmann::json::object()}) {
    auto refused = patch_settings(body, manager);
    EXPECT_EQ(refused.status, 422) << body.dump();
    EXPECT_EQ(refused.json()["errors"].size(), 1u) << body.dump();
  }
  EXPECT_EQ(patch_settings({{"ring_timeout_seconds", 45}}, staff).status, 403);
  EXPECT_EQ(patch_settings({{"ring_timeout_seconds", 45}}, resident).status, 403);

  auto changed = patch_settings(
      {{"allow_visitor_access", false}, {"property_only_visitor_max_hours", 8760}}, manager);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["allow_visitor_access"], false);
  EXPECT_EQ(changed.json()["property_only_visitor_max_hours"], 8760);
  EXPECT_EQ(changed.json()["ring_timeout_seconds"], 30);

  auto audit = world.client().get(base() + "/audit", manager.auth()).json()["data"];
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0]["action"], "settings.changed");
  EXPECT_EQ(audit[0]["actor"], "user:" + manager.user_id);
  EXPECT_EQ(audit[0]["details"]["before"]["allow_visitor_access"], true);
  EXPECT_EQ(audit[0]["details"]["after"]["allow_visitor_access"], false);
}

TEST_F(PropertiesApi, MoveInValidatesAndQueuesAnInvitation) {
  auto staff = world.staff(property, "staff");
  const auto unit_id = world.unit(staff, property, "7A");
  const auto other_unit = world.unit(world.admin(), world.property("pine"), "7A");

  auto bad =
      post(base() + "/residents",
           {{"unit_id", "nope"}, {"first_name", "Jo"}, {"email", "jo@"}, {"phone", "555"}}, staff);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_fields(bad),
            (std::vector<std::string>{"unit_id", "last_name", "email", "phone"}));

  nlohmann::json jo{{"unit_id", other_unit},
                    {"first_name", "Jo"},
                    {"last_name", "March"},
                    {"email", "Jo@Example.com"},
                    {"phone", "+15557654321"}};
  auto wrong_unit = post(base() + "/residents", jo, staff);
  EXPECT_EQ(wrong_unit.status, 422);
  EXPECT_EQ(error_fields(wrong_unit), (std::vector<std::string>{"unit_id"}));

  jo["unit_id"] = unit_id;
  auto moved_in = post(base() + "/residents", jo, staff);
  ASSERT_EQ(moved_in.status, 201) << moved_in.body;
  EXPECT_EQ(moved_in.json()["email"], "jo@example.com");
  EXPECT_EQ(moved_in.json()["unit_label"], "7A");
  EXPECT_EQ(moved_in.json()["invited"], true);
  EXPECT_EQ(world.invite_token_for("jo@example.com").size(), 64u);
  const auto email_text =
      testing::query_value(server.database_url(),
                           "SELECT payload->>'text' FROM outbox WHERE payload->>'to' = "
                           "'jo@example.com'");
  EXPECT_NE(email_text.find("The oak"), std::string::npos) << email_text;

  auto twice = post(base() + "/residents", jo, staff);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.json()["code"], "already_resident");
}

TEST_F(PropertiesApi, AnExistingAccountIsToldButNotSentAPasswordLink) {
  auto staff = world.staff(property, "staff");
  const auto invites_before = testing::query_value(
      server.database_url(),
      "SELECT count(*) FROM outbox WHERE payload->>'to' = '" + staff.email + "'");
  // The staff member also moves into the building.
  auto moved_in = post(base() + "/residents",
                       {{"unit_id", world.unit(staff, property, "9C")},
                        {"first_name", "Pat"},
                        {"last_name", "Both"},
                        {"email", staff.email},
                        {"phone", "+15559990000"}},
                       staff);
  ASSERT_EQ(moved_in.status, 201) << moved_in.body;
  // The answer is the same as for someone new: it says nothing about the account.
  EXPECT_EQ(moved_in.json()["invited"], true);
  EXPECT_EQ(moved_in.json()["user_id"], staff.user_id);
  EXPECT_EQ(testing::query_value(
                server.database_url(),
                "SELECT count(*) FROM outbox WHERE payload->>'to' = '" + staff.email + "'"),
            std::to_string(std::stoi(invites_before) + 1));
  // The one new e-mail tells them; it carries no way to set a password.
  const auto notice = testing::query_value(
      server.database_url(), "SELECT payload->>'text' FROM outbox WHERE payload->>'to' = '" +
                                 staff.email + "' ORDER BY created_at DESC LIMIT 1");
  EXPECT_NE(notice.find("Log in with the account you already have"), std::string::npos) << notice;
  EXPECT_EQ(notice.find("token="), std::string::npos) << notice;
  // Their password still works, and they now hold both roles.
  auto again = world.login(staff.email, staff.password);
  EXPECT_EQ(world.client().get("/v1/me", again.auth()).json()["roles"].size(), 2u);
}

// A manager of another property moving in someone who already lives here learns
// nothing about their account and takes nothing from this property.
TEST_F(PropertiesApi, AMoveInElsewhereLeaksNothingAndTakesNothingOver) {
  auto here = world.resident(property, "Yara", "Here");  // phone +15551230000
  const auto elsewhere = world.property("elsewhere");
  auto their_manager = world.staff(elsewhere, "manager");
  const nlohmann::json sent = {{"unit_id", world.unit(their_manager, elsewhere, "7A")},
                               {"first_name", "Y."},
                               {"last_name", "Other"},
                               {"email", here.email},
                               {"phone", "+15557770000"}};
  auto moved_in = post("/v1/properties/" + elsewhere + "/residents", sent, their_manager);
  ASSERT_EQ(moved_in.status, 201) << moved_in.body;
  const auto answer = moved_in.json();
  // Only what the manager sent (and ids): not the stored phone, not whether the account exists.
  EXPECT_EQ(answer["phone"], "+15557770000");
  EXPECT_EQ(answer["first_name"], "Y.");
  EXPECT_EQ(answer["email"], here.email);
  EXPECT_EQ(answer["invited"], true);
  const nlohmann::json fresh_person = {{"unit_id", sent["unit_id"]},
                                       {"first_name", "New"},
                                       {"last_name", "Person"},
                                       {"email", "new.person@example.com"},
                                       {"phone", "+15557770001"}};
  auto new_answer = post("/v1/properties/" + elsewhere + "/residents", fresh_person, their_manager);
  ASSERT_EQ(new_answer.status, 201);
  const auto keys = [](const nlohmann::json& object) {
    std::set<std::string> names;
    for (auto it = object.begin(); it != object.end(); ++it) names.insert(it.key());
    return names;
  };
  EXPECT_EQ(keys(answer), keys(new_answer.json()));
  // Their list shows what they entered; ours still shows ours.
  auto theirs = world.client()
                    .get("/v1/properties/" + elsewhere + "/residents?q=Y.", their_manager.auth())
                    .json()["data"];
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0]["phone"], "+15557770000");
  auto manager = world.staff(property, "manager");
  auto ours = world.client().get(base() + "/residents?q=Yara", manager.auth()).json()["data"];
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(ours[0]["phone"], "+15551230000");
  // The account keeps its own details, and the person hears of it.
  auto me = world.client().get("/v1/me", here.auth()).json();
  EXPECT_EQ(me["phone"], "+15551230000");
  EXPECT_EQ(me["display_name"], "Yara Here");
  EXPECT_EQ(testing::query_value(server.database_url(),
                                 "SELECT count(*) FROM outbox WHERE payload->>'to' = '" +
                                     here.email + "' AND payload->>'subject' LIKE '%elsewhere%'"),
            "1");
  // Living at both, they act at each: named, or refused with property_required.
  const nlohmann::json visit = {{"name", "Guest"},
                                {"phone", "+15550001111"},
                                {"access", "property_only"},
                                {"starts_at", "2099-01-01T10:00:00Z"},
                                {"ends_at", "2099-01-01T12:00:00Z"}};
  auto unnamed = post("/v1/me/visitors", visit, here);
  EXPECT_EQ(unnamed.status, 422) << unnamed.body;
  EXPECT_EQ(unnamed.json()["code"], "property_required");
  auto named = visit;
  named["property_id"] = property;
  auto at_ours = post("/v1/me/visitors", named, here);
  EXPECT_EQ(at_ours.status, 409) << at_ours.body;  // not linked to BMX here yet: but here
  EXPECT_EQ(at_ours.json()["code"], "bmx_login_required");
  named["property_id"] = world.property("nowhere");
  EXPECT_EQ(post("/v1/me/visitors", named, here).status, 403);
  EXPECT_EQ(world.client()
                .send("PATCH", "/v1/me/directory", R"({"listed": false})", here.auth())
                .json()["code"],
            "property_required");
  auto unlisted = world.client().send(
      "PATCH", "/v1/me/directory",
      nlohmann::json{{"listed", false}, {"property_id", elsewhere}}.dump(), here.auth());
  ASSERT_EQ(unlisted.status, 200) << unlisted.body;
  EXPECT_EQ(testing::query_value(server.database_url(),
                                 "SELECT string_agg(directory_listed::text, ',' ORDER BY "
                                 "property_id = '" +
                                     elsewhere +
                                     "') FROM residencies WHERE "
                                     "user_id = '" +
                                     here.user_id + "'"),
            "true,false");
  auto link_status = world.client().get("/v1/me/bmx", here.auth());
  EXPECT_EQ(link_status.json()["code"], "property_required");
  auto here_link = world.client().get("/v1/me/bmx?property_id=" + property, here.auth()).json();
  EXPECT_EQ(here_link["linked"], false);
  EXPECT_EQ(here_link["property_id"], property);
}

TEST_F(PropertiesApi, ResidentsAreSearchedByNameAndPaged) {
  auto staff = world.staff(property, "staff");
  world.resident(property, "Ann", "Smith");
  world.resident(property, "Bob", "Smithers");
  world.resident(property, "Carla", "Jones");
  world.resident(property, "Smitty", "Abbot");

  auto page = world.client().get(base() + "/residents?q=SMI&limit=2", staff.auth()).json();
  ASSERT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["data"][0]["last_name"], "Abbot");  // first name matches too
  EXPECT_EQ(page["data"][1]["last_name"], "Smith");
  ASSERT_TRUE(page["next_cursor"].is_string());
  auto rest =
      world.client()
          .get(base() + "/residents?q=SMI&limit=2&cursor=" + std::string(page["next_cursor"]),
               staff.auth())
          .json();
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_EQ(rest["data"][0]["last_name"], "Smithers");
  EXPECT_TRUE(rest["next_cursor"].is_null());

  EXPECT_EQ(world.client().get(base() + "/residents?limit=0", staff.auth()).status, 422);
  EXPECT_EQ(world.client().get(base() + "/residents?limit=101", staff.auth()).status, 422);
  EXPECT_EQ(world.client().get(base() + "/residents?cursor=%%%", staff.auth()).status, 400);
  EXPECT_EQ(world.client().get(base() + "/residents?cursor=abc", staff.auth()).status, 422);
  EXPECT_EQ(world.client().get(base() + "/residents?cursor=WzFd", staff.auth()).status, 422);
}

TEST_F(PropertiesApi, MoveOutEndsTheResidencyAndTheRole) {
  auto manager = world.staff(property, "manager");
  auto resident = world.resident(property, "Dana", "Scully");
  const auto path = "/v1/residents/" + resident.residency_id + "/move-out";
  auto moved = world.client().post(path, "", manager.auth());
  ASSERT_EQ(moved.status, 200) << moved.body;
  auto again = world.client().post(path, "", manager.auth());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["code"], "already_moved_out");

  auto listed = world.client().get(base() + "/residents?q=Dana", manager.auth()).json()["data"];
  EXPECT_TRUE(listed.empty());
  auto fresh = world.login(resident.email, resident.password);
  EXPECT_TRUE(world.client().get("/v1/me", fresh.auth()).json()["roles"].empty());
  EXPECT_EQ(world.client().get(base() + "/settings", fresh.auth()).status, 404);
  auto audit = world.client().get(base() + "/audit", manager.auth()).json()["data"];
  EXPECT_EQ(audit[0]["action"], "resident.moved_out");
}

TEST_F(PropertiesApi, AuditTrailPagesNewestFirst) {
  auto manager = world.staff(property, "manager");
  for (int i = 0; i < 3; ++i) world.unit(manager, property, "P" + std::to_string(i));
  auto first = world.client().get(base() + "/audit?limit=2", manager.auth()).json();
  ASSERT_EQ(first["data"].size(), 2u);
  EXPECT_EQ(first["data"][0]["details"]["label"], "P2");
  EXPECT_EQ(first["data"][1]["details"]["label"], "P1");
  auto second = world.client()
                    .get(base() + "/audit?limit=2&cursor=" + std::string(first["next_cursor"]),
                         manager.auth())
                    .json();
  EXPECT_EQ(second["data"][0]["details"]["label"], "P0");
}

TEST_F(PropertiesApi, DevicesBelongToTheirLatestRegistrant) {
  auto ann = world.resident(property, "Ann", "A");
  auto bob = world.resident(property, "Bob", "B");
  nlohmann::json phone{{"platform", "ios"},
                       {"push_token", testing::apns_token("apns-token-123456")},
                       {"voip_token", testing::apns_token("voip-token-123456")},
                       {"bmx_app_installed", true}};
  auto mine = post("/v1/me/devices", phone, ann);
  ASSERT_EQ(mine.status, 201) << mine.body;
  EXPECT_EQ(mine.json()["bmx_app_installed"], true);
  // The same phone, now signed in as Bob: the token moves to him.
  auto his = post("/v1/me/devices", phone, bob);
  ASSERT_EQ(his.status, 201);
  EXPECT_EQ(his.json()["id"], mine.json()["id"]);
  const auto path = "/v1/me/devices/" + std::string(mine.json()["id"]);
  EXPECT_EQ(world.client().send("DELETE", path, "", ann.auth()).status, 404);
  EXPECT_EQ(world.client().send("DELETE", path, "", bob.auth()).status, 204);
  EXPECT_EQ(world.client().send("DELETE", path, "", bob.auth()).status, 404);

  auto bad = post("/v1/me/devices", {{"platform", "windows"}, {"push_token", "x"}}, ann);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_fields(bad), (std::vector<std::string>{"platform", "push_token"}));
}

TEST_F(PropertiesApi, PanelKeysAreShownOnceAndRevocable) {
  auto manager = world.staff(property, "manager");
  auto created = post(base() + "/panels", {{"name", "Lobby"}, {"bmx_device_id", "dev-1"}}, manager);
  ASSERT_EQ(created.status, 201);
  const std::string key = created.json()["api_key"];
  EXPECT_EQ(key.rfind("fdp_", 0), 0u);
  // Only a hash is stored.
  EXPECT_EQ(testing::query_value(server.database_url(),
                                 "SELECT count(*) FROM panels WHERE key_hash = '" + key + "'"),
            "0");
  // A panel key is a credential, but not a person's: user routes refuse it.
  EXPECT_EQ(world.client().get("/v1/me", {{"Authorization", "Bearer " + key}}).status, 403);
  const auto path = base() + "/panels/" + std::string(created.json()["id"]);
  EXPECT_EQ(world.client().send("DELETE", path, "", manager.auth()).status, 204);
  EXPECT_EQ(world.client().get("/v1/me", {{"Authorization", "Bearer " + key}}).status, 401);
}

TEST_F(PropertiesApi, StaffInvitationsNameTheProperty) {
  auto manager = world.staff(property, "manager");
  auto bad = post(base() + "/staff", {{"email", "x@y.z"}, {"display_name", "X"}, {"role", "admin"}},
                  manager);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(error_fields(bad), (std::vector<std::string>{"role"}));
  auto invited =
      post(base() + "/staff",
           {{"email", "Kim@Example.com"}, {"display_name", "Kim"}, {"role", "staff"}}, manager);
  ASSERT_EQ(invited.status, 201) << invited.body;
  EXPECT_EQ(invited.json()["email"], "kim@example.com");
  auto kim = world.activate("kim@example.com", world.invite_token_for("kim@example.com"));
  auto roles = world.client().get("/v1/me", kim.auth()).json()["roles"];
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(roles[0]["role"], "staff");
}

}  // namespace
}  // namespace frontdoor
