// People: residents moving in (an invitation, or a note for an existing
// account), what a move-in elsewhere may and may not see, the resident search,
// moving out, and residents' devices.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "property_fixture.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::error_fields;

class PeopleApi : public testing::PropertyFixture {};

TEST_F(PeopleApi, MoveInValidatesAndQueuesAnInvitation) {
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

TEST_F(PeopleApi, AnExistingAccountIsToldButNotSentAPasswordLink) {
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
TEST_F(PeopleApi, AMoveInElsewhereLeaksNothingAndTakesNothingOver) {
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

TEST_F(PeopleApi, ResidentsAreSearchedByNameAndPaged) {
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

TEST_F(PeopleApi, MoveOutEndsTheResidencyAndTheRole) {
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

TEST_F(PeopleApi, DevicesBelongToTheirLatestRegistrant) {
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

}  // namespace
}  // namespace frontdoor
