// Properties: creating one, units, settings, panels and their keys, staff
// invitations, idempotent creates. Residents and devices are people_api_test.cpp's,
// the audit trail audit_api_test.cpp's.
#include <gtest/gtest.h>

#include <vector>

#include "property_fixture.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::HttpResponse;

using testing::error_fields;

class PropertiesApi : public testing::PropertyFixture {};

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
