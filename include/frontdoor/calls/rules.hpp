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
// What it says for this call: the front desk's once the call went there.
std::string panel_message(const Call& call);
// The refusal a panel shows when nobody in the unit can take calls.
common::ApiError nobody_to_ring(const std::string& unit_label);

// The explanation a resident's app shows when BMX rings their phone instead.
std::string phone_routing_reason();

// Which pushes follow a recorded event: ring every device when a call starts
// ringing; stop the others when a ringing call ends; the door's result; and when
// a call goes to the front desk, ring the desk and stop the residents' phones.
enum class Push { none, ring, stop_ringing, door_opened, forward };
Push push_after(const std::string& event, CallState state);

// Why `action` did not move a call that is in `state` (the caller's own call, and
// the caller still lives at its property): the 409 the app shows.
common::ApiError refusal(CallAction action, CallState state);

// Where the caller sits in the call's group, for the refusals a group adds.
struct Seat {
  bool at_front_desk = false;  // rung as the front desk, not as a resident
  bool answered_by_caller = false;
};
// As above, for a caller who is still where the call found them: a resident
// after the call went to the front desk gets call_forwarded, and anyone but the
// one who answered an answered call gets answered_elsewhere.
common::ApiError refusal(CallAction action, const Call& call, const Seat& seat);

// The caller label CallKit and ConnectionService show for a panel.
std::string caller_label(const std::optional<std::string>& panel_name);

}  // namespace frontdoor::calls::rules
