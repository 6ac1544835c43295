// The calls module's pure rules: the panel's words, the pushes each event sends,
// and the refusal a resident sees for each state.
#include <gtest/gtest.h>

#include <string>

#include "frontdoor/calls/rules.hpp"

namespace frontdoor::calls {
namespace {

constexpr CallState kEveryState[] = {
    CallState::ringing, CallState::routed_to_phone, CallState::accepted,    CallState::denied,
    CallState::missed,  CallState::canceled,        CallState::door_opened, CallState::ended};

TEST(CallStates, EveryStateReadsBackFromItsName) {
  for (auto state : kEveryState) {
    EXPECT_EQ(common::named<CallState>(to_string(state)), state) << to_string(state);
  }
  EXPECT_FALSE(common::named<CallState>("Ringing"));
  EXPECT_FALSE(common::named<CallState>(""));
}

TEST(PanelMessage, NamesThePersonWhileTheCallGoesOn) {
  EXPECT_EQ(rules::panel_message(CallState::ringing, "Ada"), "Calling Ada...");
  EXPECT_EQ(rules::panel_message(CallState::accepted, "Ada"), "Connected to Ada");
  EXPECT_EQ(rules::panel_message(CallState::routed_to_phone, "Ada"), "Calling Ada's phone...");
}

TEST(PanelMessage, TellsTheVisitorTheyMayCallAgainAfterADenialOrAMiss) {
  for (auto state : {CallState::denied, CallState::missed}) {
    const auto text = rules::panel_message(state, "Ada");
    EXPECT_NE(text.find("Ada"), std::string::npos);
    EXPECT_NE(text.find("You may call again."), std::string::npos) << text;
  }
  EXPECT_EQ(rules::panel_message(CallState::door_opened, "Ada"), "Door opened");
  EXPECT_EQ(rules::panel_message(CallState::ended, "Ada"), "Call ended");
}

TEST(PushAfter, OnlyARingingStartRingsThePhones) {
  EXPECT_EQ(rules::push_after("started", CallState::ringing), rules::Push::ring);
  // BMX rings the phone number itself: the app must not ring as well.
  EXPECT_EQ(rules::push_after("started", CallState::routed_to_phone), rules::Push::none);
}

TEST(PushAfter, EveryWayOutOfRingingStopsTheOtherDevices) {
  for (const std::string event : {"accepted", "denied", "missed", "canceled"}) {
    EXPECT_EQ(rules::push_after(event, CallState::ended), rules::Push::stop_ringing) << event;
  }
  EXPECT_EQ(rules::push_after("door_opened", CallState::door_opened), rules::Push::door_opened);
  EXPECT_EQ(rules::push_after("media", CallState::accepted), rules::Push::none);
  EXPECT_EQ(rules::push_after("ended", CallState::ended), rules::Push::none);
}

TEST(Refusal, ASecondDeviceLearnsTheCallWasAnsweredElsewhere) {
  const auto error = rules::refusal(CallAction::accept, CallState::accepted);
  EXPECT_EQ(error.status(), 409);
  EXPECT_EQ(error.code(), "answered_elsewhere");
}

TEST(Refusal, EachStateHasItsOwnCode) {
  EXPECT_EQ(rules::refusal(CallAction::accept, CallState::missed).code(), "call_missed");
  EXPECT_EQ(rules::refusal(CallAction::open_door, CallState::ringing).code(), "call_not_accepted");
  EXPECT_EQ(rules::refusal(CallAction::open_door, CallState::accepted).code(),
            "door_release_in_progress");
  EXPECT_EQ(rules::refusal(CallAction::deny, CallState::canceled).code(), "call_canceled");
  // An answered call is hung up, not denied; the door is not being opened.
  EXPECT_EQ(rules::refusal(CallAction::deny, CallState::accepted).code(), "call_accepted");
  EXPECT_EQ(rules::refusal(CallAction::hangup, CallState::door_opened).code(), "call_door_opened");
  for (auto state : kEveryState) {
    EXPECT_EQ(rules::refusal(CallAction::media, state).status(), 409) << to_string(state);
  }
}

TEST(CallerLabel, NamesThePanelOrTheEntrance) {
  EXPECT_EQ(rules::caller_label(std::string("Lobby")), "Visitor at Lobby");
  EXPECT_EQ(rules::caller_label(std::nullopt), "Visitor at the entrance");
}

}  // namespace
}  // namespace frontdoor::calls
