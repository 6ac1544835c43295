#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "frontdoor/common/keyset.hpp"

namespace frontdoor::calls {

// docs/api.md, "Directory and calls": ringing -> accepted | denied | missed |
// canceled; accepted -> door_opened | ended; routed_to_phone when BMX rings the
// resident's phone instead.
enum class CallState {
  ringing,
  routed_to_phone,
  accepted,
  denied,
  missed,
  canceled,
  door_opened,
  ended
};

std::string to_string(CallState state);
// Nothing for a state this build does not know.
std::optional<CallState> call_state_from_string(const std::string& text);

// What a resident asks of a call.
enum class CallAction { accept, deny, media, open_door, hangup };

// A call as the app of someone it rang sees it. It rings the resident called,
// or every listed resident of the unit called, and then, when nobody answered in
// time and the property wants it, the front desk.
struct Call {
  std::string id;
  std::string property_id;
  // The resident called; empty for a unit's call.
  std::string resident_user_id;
  std::optional<std::string> unit_id;  // a unit's call
  // "front_desk" once nobody at home answered in time.
  std::optional<std::string> forwarded_to;
  // Who accepted: every action after that is theirs alone.
  std::optional<std::string> answered_by;
  CallState state = CallState::ringing;
  std::string callee_label;
  std::string origin;     // panel, bmx
  std::string routed_to;  // app, phone
  bool video_offered = false;
  std::optional<std::string> panel_id;
  std::optional<std::string> panel_name;
  std::optional<std::int64_t> bmx_call_id;
  std::optional<std::int64_t> bmx_device_id;
  // The BMX door this call's panel opens, once learnt.
  std::optional<std::int64_t> bmx_access_point_id;
  std::string created_at;  // RFC 3339
  std::string ring_deadline;
  std::optional<std::string> answered_at;
  std::optional<std::string> ended_at;
  std::optional<std::string> media;  // audio, video
  std::optional<bool> audio_on;
  std::optional<bool> video_on;
  std::optional<std::string> accepted_device_id;
  std::string cursor;  // created_at with microseconds, for the next page
};

// What the app joins the media with, on the answer to an accept.
struct Session {
  std::string provider;  // bmx, frontdoor
  std::optional<std::int64_t> bmx_call_id;
  std::string call_id;
};
struct AcceptedCall {
  Call call;
  Session session;
};

// Newest first, keyset on (created_at, id).
using CallQuery = common::PageQuery<common::TimeAndId>;
using CallPage = common::Page<Call, common::TimeAndId>;

}  // namespace frontdoor::calls
