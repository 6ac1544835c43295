// Calls through frontdoor's real API, with the real
// bmx-sandbox as BMX and push provider: every transition and every illegal one,
// the panel's messages, missed calls on an injected clock, door releases that
// fail and then succeed, BMX-started calls, Phone Calls routing, and two devices
// racing to answer.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "calls_fixture.hpp"

namespace frontdoor {
namespace {

using testing::eventually;
using testing::HttpClient;

class CallsApi : public testing::CallsFixture {};

TEST_F(CallsApi, RingAnswerOpenTheDoor) {
  const auto call_id = ring_ana();
  EXPECT_EQ(panel_view(call_id)["state"], "ringing");
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Calling Ana Garcia...");
  // Every device rings: iOS through PushKit (VoIP token), Android at high priority.
  ASSERT_TRUE(eventually(
      [&] { return !sandbox.messages("push", testing::apns_token("voip-ana-phone")).empty(); }));
  auto voip = sandbox.messages("push", testing::apns_token("voip-ana-phone"))[0];
  EXPECT_EQ(voip["data"]["push_type"], "voip");
  EXPECT_EQ(voip["data"]["payload"]["call_id"], call_id);
  EXPECT_EQ(voip["data"]["payload"]["caller_label"], "Visitor at Lobby");
  EXPECT_EQ(voip["data"]["payload"]["video_offered"], true);
  ASSERT_TRUE(eventually([&] { return !sandbox.messages("push", "fcm-ana-tablet").empty(); }));
  EXPECT_EQ(sandbox.messages("push", "fcm-ana-tablet")[0]["data"]["priority"], "high");

  // Illegal before answering.
  EXPECT_EQ(act(ana, call_id, "open-door").json()["code"], "call_not_accepted");
  EXPECT_EQ(act(ana, call_id, "hangup").json()["code"], "call_not_accepted");

  auto accepted = accept(call_id, phone_a);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json()["state"], "accepted");
  EXPECT_EQ(accepted.json()["video"], true);
  EXPECT_EQ(accepted.json()["session"]["call_id"], call_id);
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Connected to Ana Garcia");
  auto second = accept(call_id, phone_b);
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.json()["code"], "answered_elsewhere");
  const auto denied = act(ana, call_id, "deny");
  EXPECT_EQ(denied.status, 409);
  EXPECT_EQ(denied.json()["code"], "call_accepted");
  // The tablet is told to stop ringing.
  ASSERT_TRUE(eventually([&] { return sandbox.messages("push", "fcm-ana-tablet").size() >= 2; }));
  EXPECT_EQ(sandbox.messages("push", "fcm-ana-tablet")[1]["data"]["payload"]["type"], "call_ended");

  auto muted = act(ana, call_id, "media", {{"audio", false}, {"video", false}});
  EXPECT_EQ(muted.json()["audio"], false);
  EXPECT_EQ(muted.json()["video"], false);

  auto opened = act(ana, call_id, "open-door");
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(opened.json()["state"], "door_opened");
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Door opened");
  auto releases = sandbox.requests("/v4/door_release_requests");
  EXPECT_EQ(releases.size(), 1u);
  // Nothing moves a finished call.
  EXPECT_EQ(act(ana, call_id, "open-door").status, 409);
  EXPECT_EQ(act(ana, call_id, "hangup").json()["code"], "call_door_opened");
  EXPECT_EQ(world.client().post("/v1/panel/calls/" + call_id + "/cancel", "", panel()).status, 409);

  EXPECT_EQ(query("SELECT string_agg(event, ',' ORDER BY seq) FROM call_events"),
            "started,accepted,media,door_opened");
  EXPECT_EQ(query("SELECT count(*) FROM audit_events WHERE action LIKE 'call.%'"), "3");
  auto history = world.client().get("/v1/me/calls", ana.auth()).json()["data"];
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["state"], "door_opened");
}

TEST_F(CallsApi, ADeniedVisitorMayCallAgainAndThePanelMayCancel) {
  const auto first = ring_ana();
  auto denied = act(ana, first, "deny");
  ASSERT_EQ(denied.status, 200);
  EXPECT_EQ(panel_view(first)["panel_message"], "Ana Garcia is not available. You may call again.");
  EXPECT_EQ(accept(first, phone_a).json()["code"], "call_denied");

  const auto second = ring_ana();
  EXPECT_NE(second, first);
  auto canceled = world.client().post("/v1/panel/calls/" + second + "/cancel", "", panel());
  ASSERT_EQ(canceled.status, 200);
  EXPECT_EQ(canceled.json()["state"], "canceled");
  EXPECT_EQ(accept(second, phone_a).json()["code"], "call_canceled");

  // Both calls in Ana's history, a page at a time through the cursor.
  auto page = world.client().get("/v1/me/calls?limit=1", ana.auth()).json();
  ASSERT_EQ(page["data"].size(), 1u);
  ASSERT_TRUE(page["next_cursor"].is_string());
  auto rest =
      world.client()
          .get("/v1/me/calls?limit=1&cursor=" + page["next_cursor"].get<std::string>(), ana.auth())
          .json();
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_TRUE(rest["next_cursor"].is_null());
  EXPECT_EQ((std::set<std::string>{page["data"][0]["id"], rest["data"][0]["id"]}),
            (std::set<std::string>{first, second}));
}

TEST_F(CallsApi, AnUnansweredCallIsMissedAfterTheRingTimeout) {
  const auto call_id = ring_ana();
  server.clock().advance(std::chrono::seconds(29));
  EXPECT_EQ(panel_view(call_id)["state"], "ringing");
  server.clock().advance(std::chrono::seconds(2));  // the default ring_timeout_seconds is 30
  EXPECT_EQ(panel_view(call_id)["state"], "missed");
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Ana Garcia did not answer. You may call again.");
  EXPECT_EQ(accept(call_id, phone_a).json()["code"], "call_missed");

  // The sweep finds due calls that nobody is looking at.
  const auto unwatched = ring_ana();
  server.clock().advance(std::chrono::seconds(31));
  ASSERT_TRUE(eventually(
      [&] { return query("SELECT state FROM calls WHERE id = '" + unwatched + "'") == "missed"; }));
}

// Reading a call never writes it: with the sweep stopped, a call past its ring
// time reads as missed to its panel and its resident, and refuses an answer as
// missed, while its row still says ringing until the sweep ends it.
TEST_F(CallsApi, ReadingACallPastItsTimeShowsItMissedWithoutWritingIt) {
  const auto call_id = ring_ana();
  server.app().dispatcher().stop();  // no sweep from here on
  server.clock().advance(std::chrono::seconds(31));
  EXPECT_EQ(panel_view(call_id)["state"], "missed");
  auto seen = world.client().get("/v1/calls/" + call_id, ana.auth());
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.json()["state"], "missed");
  EXPECT_EQ(accept(call_id, phone_a).json()["code"], "call_missed");
  EXPECT_EQ(query("SELECT state FROM calls WHERE id = '" + call_id + "'"), "ringing");
  EXPECT_EQ(query("SELECT count(*) FROM call_events WHERE call_id = '" + call_id + "'"), "1");
  // What the sweep writes is what the readers saw, ended at the ring deadline.
  EXPECT_EQ(server.app().calls().sweep_missed(), 1);
  EXPECT_EQ(query("SELECT state FROM calls WHERE id = '" + call_id + "'"), "missed");
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, ana.auth()).json()["ended_at"],
            seen.json()["ended_at"]);
}

TEST_F(CallsApi, ADoorReleaseThatFailsLeavesTheCallAcceptedAndMayBeRetried) {
  const auto call_id = ring_ana();
  ASSERT_EQ(accept(call_id, phone_a).status, 200);
  sandbox.fault({{"method", "POST"},
                 {"path_prefix", "/v4/door_release_requests"},
                 {"status", 503},
                 {"times", 1}});
  auto failed = act(ana, call_id, "open-door");
  EXPECT_EQ(failed.status, 502);
  EXPECT_EQ(failed.json()["code"], "door_release_failed");
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, ana.auth()).json()["state"], "accepted");
  EXPECT_EQ(sandbox.requests("/v4/door_release_requests").size(), 1u);  // not retried by us

  auto opened = act(ana, call_id, "open-door");
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(opened.json()["state"], "door_opened");
  EXPECT_EQ(sandbox.requests("/v4/door_release_requests").size(), 2u);
}

TEST_F(CallsApi, PhoneCallsPreferenceRoutesToThePhoneAndSaysWhy) {
  auto chloe = world.resident(property, "Chloe", "Martin");
  link(chloe, "chloe@bmx.test");
  device(chloe, R"({"platform":"android","push_token":"fcm-chloe-phone"})");
  auto response = ring(chloe.residency_id);
  ASSERT_EQ(response.status, 201);
  EXPECT_EQ(response.json()["state"], "routed_to_phone");
  EXPECT_EQ(response.json()["panel_message"], "Calling Chloe Martin's phone...");
  auto call = world.client()
                  .get("/v1/calls/" + response.json()["call_id"].get<std::string>(), chloe.auth())
                  .json();
  EXPECT_EQ(call["routed_to"], "phone");
  EXPECT_EQ(call["video_offered"], false);
  EXPECT_NE(call["routing_reason"].get<std::string>().find("Phone Calls"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(sandbox.messages("push", "fcm-chloe-phone").empty());  // the app does not ring
  EXPECT_EQ(world.client().get("/v1/me/bmx", chloe.auth()).json()["video_calls_ready"], false);
}

TEST_F(CallsApi, ABmxCallStartsTheSameKindOfCallOnce) {
  auto call = sandbox.client().post(
      "/_sandbox/panels/" + std::to_string(building["devices"][0]["id"].get<std::int64_t>()) +
          "/calls",
      nlohmann::json{{"tenant_id", building["units"][0]["tenants"][0]["id"]}}.dump());
  ASSERT_EQ(call.status, 201);
  nlohmann::json calls;
  ASSERT_TRUE(eventually([&] {
    calls = world.client().get("/v1/me/calls", ana.auth()).json()["data"];
    return !calls.empty();
  }));
  EXPECT_EQ(calls[0]["origin"], "bmx");
  EXPECT_EQ(calls[0]["state"], "ringing");
  EXPECT_EQ(calls[0]["panel_name"], "Lobby");  // the panel with that BMX device
  // BMX delivers it again: still one call.
  const auto event = nlohmann::json{
      {"event", {{"resource_type", "call"}, {"action", "create"}, {"data", call.json()["data"]}}}};
  query("DELETE FROM bmx_webhook_events RETURNING 1");
  const auto secret_url =
      sandbox.client().get("/_sandbox/webhooks").json()["data"][0]["url"].get<std::string>();
  world.client().post(secret_url.substr(secret_url.find("/v1/")), event.dump());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(world.client().get("/v1/me/calls", ana.auth()).json()["data"].size(), 1u);

  auto accepted = accept(calls[0]["id"], phone_a, "audio");
  ASSERT_EQ(accepted.status, 200);
  EXPECT_EQ(accepted.json()["session"]["provider"], "bmx");
  EXPECT_EQ(accepted.json()["session"]["bmx_call_id"], call.json()["data"]["id"]);
  EXPECT_EQ(act(ana, calls[0]["id"], "open-door").json()["state"], "door_opened");
}

TEST_F(CallsApi, TwoDevicesAnsweringAtOnceNeverBothWin) {
  for (int round = 0; round < 25; ++round) {
    const auto call_id = ring_ana();
    auto first = std::async(std::launch::async, [&] { return accept(call_id, phone_a).status; });
    auto second = std::async(std::launch::async, [&] { return accept(call_id, phone_b).status; });
    const int a = first.get(), b = second.get();
    EXPECT_EQ((a == 200) + (b == 200), 1) << "round " << round << ": " << a << " " << b;
    EXPECT_EQ((a == 409) + (b == 409), 1) << "round " << round;
    act(ana, call_id, "hangup");
  }
  EXPECT_EQ(query("SELECT count(*) FROM call_events WHERE event = 'accepted'"), "25");
}

TEST_F(CallsApi, ResidentsSeeOnlyTheirOwnCalls) {
  const auto call_id = ring_ana();
  auto ben = world.resident(property, "Ben", "Okafor");
  const auto bens_device = device(ben, R"({"platform":"android","push_token":"fcm-ben-phone"})");
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, ben.auth()).status, 404);
  EXPECT_EQ(act(ben, call_id, "accept", {{"device_id", bens_device}, {"media", "audio"}}).status,
            404);
  EXPECT_EQ(act(ben, call_id, "deny").status, 404);
  EXPECT_TRUE(world.client().get("/v1/me/calls", ben.auth()).json()["data"].empty());
  // Ana answers only with her own devices.
  EXPECT_EQ(accept(call_id, bens_device).status, 422);
}

TEST_F(CallsApi, ResidentsWithTheBmxAppToldHowToRingHere) {
  EXPECT_FALSE(world.client().get("/v1/me/bmx", ana.auth()).json().contains("notice"));
  device(ana, nlohmann::json{{"platform", "ios"},
                             {"push_token", testing::apns_token("apns-ana-2")},
                             {"bmx_app_installed", true}}
                  .dump());
  auto status = world.client().get("/v1/me/bmx", ana.auth()).json();
  EXPECT_NE(status["notice"].get<std::string>().find("ButterflyMX"), std::string::npos);
}

// The critical finding of the security review: a resident who has moved out
// kept door control through their old access token.
TEST_F(CallsApi, MoveOutEndsDoorControlAtOnce) {
  auto manager = world.staff(property, "manager");
  const auto answered = ring_ana();
  ASSERT_EQ(accept(answered, phone_a).status, 200);
  const auto ringing = ring_ana();
  const auto pushes_before = sandbox.messages("push", "fcm-ana-tablet").size();

  auto moved =
      world.client().post("/v1/residents/" + ana.residency_id + "/move-out", "", manager.auth());
  ASSERT_EQ(moved.status, 200) << moved.body;

  // The old access token opens nothing, answers nothing, changes nothing.
  auto opened = act(ana, answered, "open-door");
  EXPECT_EQ(opened.status, 403) << opened.body;
  EXPECT_EQ(act(ana, ringing, "accept", {{"device_id", phone_b}, {"media", "audio"}}).status, 403);
  EXPECT_EQ(act(ana, answered, "media", {{"audio", false}}).status, 403);
  EXPECT_EQ(act(ana, answered, "hangup").status, 403);
  EXPECT_EQ(act(ana, ringing, "deny").status, 403);
  EXPECT_TRUE(sandbox.requests("/v4/door_release_requests").empty());
  // Both calls ended with the residency, and say so to the panel.
  EXPECT_EQ(panel_view(answered)["state"], "ended");
  EXPECT_EQ(panel_view(ringing)["state"], "canceled");
  // Every device stopped ringing, and the one in the call was told it ended.
  ASSERT_TRUE(eventually(
      [&] { return sandbox.messages("push", "fcm-ana-tablet").size() >= pushes_before + 2; }));
  // (An iPhone hears of calls through PushKit, on its VoIP token.)
  const auto told = [&] {
    std::set<std::string> calls;
    for (const auto& push : sandbox.messages("push", testing::apns_token("voip-ana-phone"))) {
      if (push["data"]["payload"].value("type", "") == "call_ended") {
        calls.insert(push["data"]["payload"].value("call_id", ""));
      }
    }
    return calls;
  };
  EXPECT_TRUE(eventually([&] {
    return told() == std::set<std::string>{answered, ringing};
  })) << told().size();
  // The panel cannot ring them again, and their refreshed token is no resident's.
  EXPECT_EQ(ring(ana.residency_id).status, 404);
  auto refreshed = world.client().post("/v1/auth/refresh",
                                       nlohmann::json{{"refresh_token", ana.refresh_token}}.dump());
  ASSERT_EQ(refreshed.status, 200);
  const testing::HttpClient::Headers fresh = {
      {"Authorization", "Bearer " + refreshed.json()["access_token"].get<std::string>()}};
  EXPECT_EQ(world.client().get("/v1/properties/" + property + "/settings", fresh).status, 404);
  EXPECT_EQ(world.client().get("/v1/me/bmx", fresh).status, 403);
}

// The statement itself checks the residency: even a call that somehow stayed
// answered (here: the move-out's own hook is bypassed) opens no door.
TEST_F(CallsApi, EveryCallActionChecksTheResidencyInItsOwnStatement) {
  const auto answered = ring_ana();
  ASSERT_EQ(accept(answered, phone_a).status, 200);
  const auto ringing = ring_ana();
  query("UPDATE residencies SET moved_out_at = now() WHERE id = '" + ana.residency_id +
        "' RETURNING 1");
  auto opened = act(ana, answered, "open-door");
  EXPECT_EQ(opened.status, 403) << opened.body;
  EXPECT_EQ(act(ana, ringing, "accept", {{"device_id", phone_b}, {"media", "audio"}}).status, 403);
  EXPECT_EQ(act(ana, ringing, "deny").status, 403);
  EXPECT_EQ(act(ana, answered, "media", {{"audio", false}}).status, 403);
  EXPECT_EQ(act(ana, answered, "hangup").status, 403);
  EXPECT_TRUE(sandbox.requests("/v4/door_release_requests").empty());
  EXPECT_EQ(query("SELECT state FROM calls WHERE id = '" + answered + "'"), "accepted");
}

TEST_F(CallsApi, AnAnsweredCallEndsByItselfAfterItsTimeLimit) {
  const auto call_id = ring_ana();
  ASSERT_EQ(accept(call_id, phone_a).status, 200);
  server.clock().advance(std::chrono::seconds(299));
  EXPECT_EQ(panel_view(call_id)["state"], "accepted");
  server.clock().advance(std::chrono::seconds(2));  // calls.max_accepted_seconds is 300
  EXPECT_EQ(act(ana, call_id, "open-door").status, 409);
  EXPECT_EQ(panel_view(call_id)["state"], "ended");
  EXPECT_TRUE(sandbox.requests("/v4/door_release_requests").empty());
  // The sweep ends answered calls nobody is looking at, and hangs up the device.
  const auto unwatched = ring_ana();
  ASSERT_EQ(accept(unwatched, phone_b).status, 200);
  server.clock().advance(std::chrono::seconds(301));
  ASSERT_TRUE(eventually(
      [&] { return query("SELECT state FROM calls WHERE id = '" + unwatched + "'") == "ended"; }));
  ASSERT_TRUE(eventually([&] {
    for (const auto& push : sandbox.messages("push", "fcm-ana-tablet")) {
      if (push["data"]["payload"].value("call_id", "") == unwatched &&
          push["data"]["payload"].value("state", "") == "ended") {
        return true;
      }
    }
    return false;
  }));
  EXPECT_EQ(query("SELECT event FROM call_events WHERE call_id = '" + unwatched +
                  "' ORDER BY seq DESC LIMIT 1"),
            "timed_out");
}

// A ring that waited in the outbox past the end of its call is dropped, not sent.
TEST_F(CallsApi, ARingThatWaitedPastItsCallIsDroppedAsExpired) {
  sandbox.fault({{"path_prefix", "/v1/projects"}, {"status", 503}, {"times", 1}});
  sandbox.fault({{"path_prefix", "/3/device"}, {"status", 503}, {"times", 1}});
  const auto call_id = ring_ana();
  ASSERT_TRUE(eventually([&] {
    return query("SELECT attempts FROM outbox WHERE dedupe_key LIKE 'call-ring:" + call_id +
                 ":%'") != "0";
  }));
  world.client().post("/v1/panel/calls/" + call_id + "/cancel", "", panel());
  query("UPDATE outbox SET next_attempt_at = now() WHERE dedupe_key LIKE 'call-ring:" + call_id +
        ":%' RETURNING 1");
  server.app().dispatcher().wake();
  ASSERT_TRUE(eventually([&] {
    return query("SELECT status FROM outbox WHERE dedupe_key LIKE 'call-ring:" + call_id + ":%'") ==
           "expired";
  }));
  for (const auto& token : {std::string("fcm-ana-tablet"), testing::apns_token("voip-ana-phone")}) {
    for (const auto& push : sandbox.messages("push", token)) {
      EXPECT_NE(push["data"]["payload"].value("type", ""), "incoming_call") << push.dump();
    }
  }
}

// Roommates: in units mode the panel lists units, and a unit's call rings every
// listed resident of the unit on every device.
TEST_F(CallsApi, AUnitsCallRingsEveryListedRoommateAndTheFirstToAnswerWins) {
  const auto unit_id = world.unit(world.admin(), property, "301");
  auto bo = world.resident_in(property, unit_id, "Bo", "Lindqvist");
  auto cy = world.resident_in(property, unit_id, "Cy", "Moreau");
  auto dee = world.resident_in(property, unit_id, "Dee", "Unlisted");
  world.client().send("PATCH", "/v1/me/directory", R"({"listed": false})", dee.auth());
  const auto bos_phone = device(bo, R"({"platform":"android","push_token":"fcm-bo-phone"})");
  const auto cys_phone = device(cy, testing::iphone("cy-phone"));
  device(dee, R"({"platform":"android","push_token":"fcm-dee-phone"})");
  settings({{"directory_mode", "units"}});

  // The panel lists units by label, and no longer lists residents by name.
  auto found = directory("301")["data"];
  ASSERT_EQ(found.size(), 1u) << found;
  EXPECT_EQ(found[0]["entry_id"], unit_id);
  EXPECT_EQ(found[0]["display_name"], "301");
  EXPECT_TRUE(directory("bo")["data"].empty());
  EXPECT_TRUE(directory("garcia")["data"].empty());
  EXPECT_EQ(ring(ana.residency_id).status, 404);  // a resident's entry is not listed now

  auto rang = ring(unit_id);
  ASSERT_EQ(rang.status, 201) << rang.body;
  const std::string call_id = rang.json()["call_id"];
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Calling 301...");
  ASSERT_TRUE(eventually([&] { return !pushes("fcm-bo-phone", "incoming_call").empty(); }));
  ASSERT_TRUE(eventually(
      [&] { return !pushes(testing::apns_token("voip-cy-phone"), "incoming_call").empty(); }));
  EXPECT_EQ(pushes(testing::apns_token("voip-cy-phone"), "incoming_call")[0]["data"]["push_type"],
            "voip");
  EXPECT_EQ(pushes("fcm-bo-phone", "incoming_call")[0]["data"]["priority"], "high");

  auto answered = act(cy, call_id, "accept", {{"device_id", cys_phone}, {"media", "audio"}});
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(answered.json()["callee_type"], "unit");
  auto late = act(bo, call_id, "accept", {{"device_id", bos_phone}, {"media", "video"}});
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(late.json()["code"], "answered_elsewhere");
  EXPECT_EQ(act(bo, call_id, "deny").json()["code"], "answered_elsewhere");
  EXPECT_EQ(act(bo, call_id, "open-door").json()["code"], "answered_elsewhere");
  // Bo's phone stops ringing at once.
  ASSERT_TRUE(eventually([&] { return !pushes("fcm-bo-phone", "call_ended").empty(); }));

  // The unlisted roommate was not rung and does not see the call; nor does anyone else.
  EXPECT_TRUE(sandbox.messages("push", "fcm-dee-phone").empty());
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, dee.auth()).status, 404);
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, ana.auth()).status, 404);
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, bo.auth()).json()["state"], "accepted");

  auto opened = act(cy, call_id, "open-door");
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(opened.json()["state"], "door_opened");
  EXPECT_EQ(query("SELECT actor_user_id FROM audit_events WHERE action = 'call.door_opened'"),
            cy.user_id);
  // Each roommate who was rung has it in their history.
  for (const auto* who : {&bo, &cy}) {
    auto history = world.client().get("/v1/me/calls", who->auth()).json()["data"];
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0]["id"], call_id);
  }
  EXPECT_TRUE(world.client().get("/v1/me/calls", dee.auth()).json()["data"].empty());

  // A roommate may deny: the visitor may call again, and the unit's next call rings.
  const std::string again = ring(unit_id).json()["call_id"];
  ASSERT_EQ(act(bo, again, "deny").status, 200);
  EXPECT_EQ(act(cy, again, "accept", {{"device_id", cys_phone}, {"media", "audio"}}).json()["code"],
            "call_denied");

  // Nobody answers: missed after the ring timeout, like a resident's call.
  const std::string unanswered = ring(unit_id).json()["call_id"];
  server.clock().advance(std::chrono::seconds(31));
  EXPECT_EQ(panel_view(unanswered)["state"], "missed");
  EXPECT_EQ(panel_view(unanswered)["panel_message"], "301 did not answer. You may call again.");

  // A roommate who moves out while the unit's call rings can no longer answer
  // it; the one who stays can.
  const std::string ringing = ring(unit_id).json()["call_id"];
  auto manager = world.staff(property, "manager");
  ASSERT_EQ(world.client()
                .post("/v1/residents/" + bo.residency_id + "/move-out", "", manager.auth())
                .status,
            200);
  EXPECT_EQ(act(bo, ringing, "accept", {{"device_id", bos_phone}, {"media", "audio"}}).status, 403);
  EXPECT_EQ(act(cy, ringing, "accept", {{"device_id", cys_phone}, {"media", "audio"}}).status, 200);
}

TEST_F(CallsApi, AUnitWithNobodyToRingIsListedAndSaysSoToThePanel) {
  const auto empty = world.unit(world.admin(), property, "402");
  const auto hidden = world.unit(world.admin(), property, "403");
  auto shy = world.resident_in(property, hidden, "Shy", "Person");
  world.client().send("PATCH", "/v1/me/directory", R"({"listed": false})", shy.auth());
  settings({{"directory_mode", "units"}});

  EXPECT_EQ(directory("40")["data"].size(), 2u);
  for (const auto& unit : {empty, hidden}) {
    auto refused = ring(unit);
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.json()["code"], "nobody_to_ring");
    EXPECT_TRUE(refused.json()["panel_message"].get<std::string>().starts_with("Nobody at 40"));
  }
  EXPECT_EQ(query("SELECT count(*) FROM calls"), "0");
  // Another property's unit is not this panel's to ring.
  const auto elsewhere = world.property("birch");
  const auto foreign = world.unit(world.admin(), elsewhere, "402");
  EXPECT_EQ(ring(foreign).status, 404);
}

// The front desk: a call nobody answered in time rings the property's staff with
// devices for one more window.
TEST_F(CallsApi, AnUnansweredCallGoesToTheFrontDeskWhoMayOpenTheDoor) {
  auto desk = world.staff(property, "staff");
  const auto desk_phone = device(desk, R"({"platform":"android","push_token":"fcm-desk"})");
  auto manager = world.staff(property, "manager");  // no device: not rung
  auto other_desk = world.staff(world.property("birch"), "staff");
  const auto other_phone = device(other_desk, R"({"platform":"android","push_token":"fcm-other"})");
  settings({{"front_desk_fallback", true}});

  const auto call_id = ring_ana();
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, desk.auth()).status, 404);  // not yet
  server.clock().advance(std::chrono::seconds(31));
  auto forwarded = world.client().get("/v1/calls/" + call_id, ana.auth());
  ASSERT_EQ(forwarded.status, 200) << forwarded.body;
  EXPECT_EQ(forwarded.json()["state"], "ringing");
  EXPECT_EQ(forwarded.json()["forwarded_to"], "front_desk");
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Calling the front desk...");
  ASSERT_TRUE(eventually([&] { return !pushes("fcm-desk", "incoming_call").empty(); }));
  EXPECT_EQ(pushes("fcm-desk", "incoming_call")[0]["data"]["payload"]["forwarded_to"],
            "front_desk");
  EXPECT_EQ(pushes("fcm-desk", "incoming_call")[0]["data"]["priority"], "high");
  // The resident's phones stop ringing; her window is over.
  ASSERT_TRUE(eventually([&] { return !pushes("fcm-ana-tablet", "call_forwarded").empty(); }));
  EXPECT_EQ(accept(call_id, phone_a).json()["code"], "call_forwarded");
  EXPECT_TRUE(sandbox.messages("push", "fcm-other").empty());
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, manager.auth()).status, 404);
  EXPECT_EQ(world.client().get("/v1/calls/" + call_id, other_desk.auth()).status, 404);
  EXPECT_EQ(
      act(other_desk, call_id, "accept", {{"device_id", other_phone}, {"media", "audio"}}).status,
      404);

  auto taken = act(desk, call_id, "accept", {{"device_id", desk_phone}, {"media", "video"}});
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(panel_view(call_id)["panel_message"], "Connected to the front desk");
  auto opened = act(desk, call_id, "open-door");
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(sandbox.requests("/v4/door_release_requests").size(), 1u);
  EXPECT_EQ(query("SELECT string_agg(action, ',' ORDER BY seq) FROM audit_events "
                  "WHERE actor_user_id = '" +
                  desk.user_id + "'"),
            "call.accepted,call.door_opened");
  EXPECT_EQ(query("SELECT string_agg(event, ',' ORDER BY seq) FROM call_events"),
            "started,forwarded,accepted,door_opened");
  // The desk's history has the call it took.
  EXPECT_EQ(world.client().get("/v1/me/calls", desk.auth()).json()["data"][0]["id"], call_id);

  // Unanswered at the desk too: missed after its window; the desk may also deny.
  const auto unanswered = ring_ana();
  server.clock().advance(std::chrono::seconds(31));
  EXPECT_EQ(panel_view(unanswered)["state"], "ringing");
  server.clock().advance(std::chrono::seconds(31));
  EXPECT_EQ(panel_view(unanswered)["state"], "missed");
  EXPECT_EQ(panel_view(unanswered)["panel_message"], "Nobody answered. You may call again.");
  EXPECT_EQ(act(desk, unanswered, "accept", {{"device_id", desk_phone}, {"media", "audio"}})
                .json()["code"],
            "call_missed");
  const auto denied_by_desk = ring_ana();
  server.clock().advance(std::chrono::seconds(31));
  ASSERT_TRUE(eventually([&] {
    return query("SELECT forwarded_to FROM calls WHERE id = '" + denied_by_desk + "'") ==
           "front_desk";
  }));  // the sweep forwards calls nobody is looking at
  ASSERT_EQ(act(desk, denied_by_desk, "deny").status, 200);
  EXPECT_EQ(query("SELECT actor_user_id FROM audit_events WHERE action = 'call.denied'"),
            desk.user_id);
}

// A fault: integrators' receivers that are slow, then down, with a backlog of
// deliveries, while the panel rings. Rings take the time-critical lane.
TEST_F(CallsApi, ASlowOrDeadWebhookReceiverNeverDelaysARing) {
  auto manager = world.staff(property, "manager");
  auto subscribed = world.client().post(
      "/v1/properties/" + property + "/webhooks",
      nlohmann::json{{"url", sandbox.url() + "/_sandbox/webhook-sink/slow"}, {"events", {"*"}}}
          .dump(),
      manager.auth());
  ASSERT_EQ(subscribed.status, 201) << subscribed.body;
  sandbox.fault(
      {{"path_prefix", "/_sandbox/webhook-sink/slow"}, {"delay_ms", 6000}, {"times", 1000}});
  for (int i = 0; i < 12; ++i) settings({{"ring_timeout_seconds", 40 + i}});
  ASSERT_TRUE(eventually([&] { return query("SELECT count(*) FROM webhook_deliveries") == "12"; }));

  const auto slow = ring_ana();
  ASSERT_TRUE(eventually([&] { return !pushes("fcm-ana-tablet", "incoming_call").empty(); }));
  EXPECT_EQ(pushes("fcm-ana-tablet", "incoming_call")[0]["data"]["payload"]["call_id"], slow);
  // The ring went out while the receiver still held every webhook worker: not
  // one delivery had finished its first attempt (each takes 6 s).
  EXPECT_EQ(query("SELECT count(*) FROM webhook_deliveries WHERE attempts > 0"), "0");

  // Down: every delivery's connection is dropped. Rings still go out at once.
  sandbox.client().send("DELETE", "/_sandbox/faults", "", {});
  sandbox.fault({{"path_prefix", "/_sandbox/webhook-sink/slow"}, {"drop", true}, {"times", 1000}});
  act(ana, slow, "deny");
  for (int i = 0; i < 12; ++i) settings({{"ring_timeout_seconds", 60 + i}});
  const auto down = ring_ana();
  ASSERT_TRUE(eventually([&] { return pushes("fcm-ana-tablet", "incoming_call").size() == 2; }));
  EXPECT_EQ(pushes("fcm-ana-tablet", "incoming_call")[1]["data"]["payload"]["call_id"], down);
  EXPECT_EQ(accept(down, phone_b).status, 200);
}

}  // namespace
}  // namespace frontdoor
