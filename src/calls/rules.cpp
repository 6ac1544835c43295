#include "frontdoor/calls/rules.hpp"

#include <array>
#include <utility>

namespace frontdoor::calls {
namespace rules {

std::string panel_message(CallState state, const std::string& callee) {
  switch (state) {
    case CallState::ringing:
      return "Calling " + callee + "...";
    case CallState::accepted:
      return "Connected to " + callee;
    case CallState::denied:
      return callee + " is not available. You may call again.";
    case CallState::missed:
      return callee + " did not answer. You may call again.";
    case CallState::canceled:
      return "Call canceled";
    case CallState::door_opened:
      return "Door opened";
    case CallState::routed_to_phone:
      return "Calling " + callee + "'s phone...";
    case CallState::ended:
      break;
  }
  return "Call ended";
}

std::string panel_message(const Call& call) {
  if (call.forwarded_to) {
    switch (call.state) {
      case CallState::ringing:
        return "Calling the front desk...";
      case CallState::accepted:
        return "Connected to the front desk";
      case CallState::missed:
        return "Nobody answered. You may call again.";
      default:
        break;
    }
  }
  return panel_message(call.state, call.callee_label);
}

common::ApiError nobody_to_ring(const std::string& unit_label) {
  const auto message = "Nobody at " + unit_label + " can take calls right now.";
  return common::ApiError::conflict("nobody_to_ring", message)
      .with_extension("panel_message", message);
}

std::string phone_routing_reason() {
  return "Your ButterflyMX contact preference is Phone Calls, so ButterflyMX calls your phone "
         "number instead of this app (no video). Choose Mobile App in ButterflyMX to answer here.";
}

Push push_after(const std::string& event, CallState state) {
  if (event == "started") return state == CallState::ringing ? Push::ring : Push::none;
  if (event == "accepted" || event == "denied" || event == "missed" || event == "canceled") {
    return Push::stop_ringing;
  }
  if (event == "door_opened") return Push::door_opened;
  if (event == "forwarded") return Push::forward;
  return Push::none;
}

common::ApiError refusal(CallAction action, CallState state) {
  using common::ApiError;
  if (action == CallAction::accept && state == CallState::accepted) {
    return ApiError::conflict("answered_elsewhere", "Another device answered this call.");
  }
  if (state == CallState::missed) {
    return ApiError::conflict("call_missed", "The call was not answered in time.");
  }
  if (state == CallState::ringing) {
    return ApiError::conflict("call_not_accepted", "Answer the call first.");
  }
  if (action == CallAction::deny && state == CallState::accepted) {
    // Denying is the answer to a ringing call; an answered one is hung up.
    return ApiError::conflict("call_accepted",
                              "This call was answered; hang up to end it, or open the door.");
  }
  if (state == CallState::accepted) {
    // Only a door release in progress (or an answered call's time running out)
    // keeps an accepted call from moving.
    return ApiError::conflict("door_release_in_progress", "The door is being opened.");
  }
  const auto name = to_string(state);
  return ApiError::conflict("call_" + name, "The call is " + name + ".");
}

common::ApiError refusal(CallAction action, const Call& call, const Seat& seat) {
  using common::ApiError;
  const bool answering = action == CallAction::accept || action == CallAction::deny;
  if (answering && call.state == CallState::ringing && call.forwarded_to && !seat.at_front_desk) {
    return ApiError::conflict("call_forwarded",
                              "Nobody answered in time, so the call went to the front desk.");
  }
  if (call.state == CallState::accepted && !seat.answered_by_caller) {
    return ApiError::conflict("answered_elsewhere", action == CallAction::accept
                                                        ? "Another device answered this call."
                                                        : "Someone else answered this call.");
  }
  return refusal(action, call.state);
}

std::string caller_label(const std::optional<std::string>& panel_name) {
  return "Visitor at " + panel_name.value_or("the entrance");
}

}  // namespace rules
}  // namespace frontdoor::calls
