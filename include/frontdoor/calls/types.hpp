#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"
#include "frontdoor/common/names.hpp"

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

// Where a call came from: frontdoor's panel API, or a BMX panel through BMX's webhook.
enum class Origin { panel, bmx };
// How it reaches the resident: the app rings, or BMX rings their phone number.
enum class RoutedTo { app, phone };
// Whom a call went on to when nobody at home answered in time.
enum class ForwardedTo { front_desk };

// What a resident asks of a call.
enum class CallAction { accept, deny, media, open_door, hangup };

// A call as the app of someone it rang sees it. It rings the resident called,
// or every listed resident of the unit called, and then, when nobody answered in
// time and the property wants it, the front desk.
struct Call {
  std::string id;
  std::string property_id;
  // The resident called; nothing for a unit's call.
  std::optional<std::string> resident_user_id;
  std::optional<std::string> unit_id;  // a unit's call
  // Once nobody at home answered in time.
  std::optional<ForwardedTo> forwarded_to;
  // Who accepted: every action after that is theirs alone.
  std::optional<std::string> answered_by;
  CallState state = CallState::ringing;
  std::string callee_label;
  Origin origin = Origin::panel;
  RoutedTo routed_to = RoutedTo::app;
  bool video_offered = false;
  std::optional<std::string> panel_id;
  std::optional<std::string> panel_name;
  std::optional<std::int64_t> bmx_call_id;
  std::optional<std::int64_t> bmx_device_id;
  // The BMX door this call's panel opens, once learnt.
  std::optional<std::int64_t> bmx_access_point_id;
  common::TimePoint created_at;
  common::TimePoint ring_deadline;
  std::optional<common::TimePoint> answered_at;
  std::optional<common::TimePoint> ended_at;
  std::optional<std::string> media;  // audio, video
  std::optional<bool> audio_on;
  std::optional<bool> video_on;
  std::optional<std::string> accepted_device_id;
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

namespace frontdoor::common {

template <>
struct Names<calls::CallState> {
  using S = calls::CallState;
  static constexpr std::array<std::pair<S, std::string_view>, 8> all{{
      {S::ringing, "ringing"},
      {S::routed_to_phone, "routed_to_phone"},
      {S::accepted, "accepted"},
      {S::denied, "denied"},
      {S::missed, "missed"},
      {S::canceled, "canceled"},
      {S::door_opened, "door_opened"},
      {S::ended, "ended"},
  }};
};
template <>
struct Names<calls::Origin> {
  static constexpr std::array<std::pair<calls::Origin, std::string_view>, 2> all{
      {{calls::Origin::panel, "panel"}, {calls::Origin::bmx, "bmx"}}};
};
template <>
struct Names<calls::RoutedTo> {
  static constexpr std::array<std::pair<calls::RoutedTo, std::string_view>, 2> all{
      {{calls::RoutedTo::app, "app"}, {calls::RoutedTo::phone, "phone"}}};
};
template <>
struct Names<calls::ForwardedTo> {
  static constexpr std::array<std::pair<calls::ForwardedTo, std::string_view>, 1> all{
      {{calls::ForwardedTo::front_desk, "front_desk"}}};
};

}  // namespace frontdoor::common

namespace frontdoor::calls {

inline std::string to_string(CallState state) { return std::string(common::name_of(state)); }

}  // namespace frontdoor::calls
