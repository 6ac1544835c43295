#pragma once

// The calls module's pure rules: what the panel says, which transitions push to
// the phones, and why an action was refused. No I/O: unit-tested on their own
// (tests/unit/call_rules_test.cpp).
#include <string>

#include "frontdoor/calls/types.hpp"
#include "frontdoor/common/error.hpp"

namespace frontdoor::calls::rules {

// What the panel's screen says in a state, naming the person called.
std::string panel_message(CallState state, const std::string& callee);

// The explanation a resident's app shows when BMX rings their phone instead.
std::string phone_routing_reason();

// Which pushes follow a recorded event: ring every device when a call starts
// ringing; stop the others when a ringing call ends; the door's result.
enum class Push { none, ring, stop_ringing, door_opened };
Push push_after(const std::string& event, CallState state);

// Why `action` did not move a call that is in `state` (the caller's own call, and
// the caller still lives at its property): the 409 the app shows.
common::ApiError refusal(CallAction action, CallState state);

// The caller label CallKit and ConnectionService show for a panel.
std::string caller_label(const std::optional<std::string>& panel_name);

}  // namespace frontdoor::calls::rules
