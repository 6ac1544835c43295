#pragma once

#include <optional>
#include <string>

#include "frontdoor/auth/roles.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"

namespace frontdoor::properties {

// What a property decides about visitors and rings (docs/api.md, "Settings").
struct Settings {
  bool allow_visitor_access = true;
  int property_only_visitor_max_hours = 24;
  int ring_timeout_seconds = 30;
  // How many passes a resident may hold at once and create per day (in the
  // property's time zone); nothing: no limit.
  std::optional<int> max_active_passes_per_resident;
  std::optional<int> max_passes_per_resident_per_day;
  // What the panel lists: "residents" or "units" (households: a unit's call rings
  // all its listed residents).
  std::string directory_mode = "residents";
  // A call nobody answers goes on to the staff's phones for one more ring window.
  bool front_desk_fallback = false;
};

// A limit to set (`change`): to a number, or lifted (`to` nothing).
struct LimitChange {
  bool change = false;
  std::optional<int> to;
};

struct SettingsChange {
  std::optional<bool> allow_visitor_access;
  std::optional<int> property_only_visitor_max_hours;
  std::optional<int> ring_timeout_seconds;
  LimitChange max_active_passes_per_resident;
  LimitChange max_passes_per_resident_per_day;
  std::optional<std::string> directory_mode;
  std::optional<bool> front_desk_fallback;
  // With visitor access turned off: also revoke every pass already given.
  bool revoke_existing = false;
};

struct NewProperty {
  std::string name;
  std::string site_name;
  std::string time_zone;
};

struct Property {
  std::string id;
  std::string name;
  std::string site_name;
  std::string time_zone;
  Settings settings;
  std::optional<common::TimePoint> created_at;  // on the answer that created it
};

struct Unit {
  std::string id;
  std::string label;
  std::optional<std::string> floor;
};

// Units are listed by label, keyset on (label, id).
struct LabelAndId {
  std::string label;
  std::string id;
};
using UnitQuery = common::PageQuery<LabelAndId>;
using UnitPage = common::Page<Unit, LabelAndId>;

struct StaffInvitation {
  std::string email;
  std::string display_name;
  auth::Role role = auth::Role::staff;
};

// What the answer to an invitation shows: only what the manager sent, so that it
// never tells whether the account already existed.
struct InvitedStaff {
  std::string user_id;
  StaffInvitation invitation;
  std::string property_id;
};

struct NewPanel {
  std::string name;
  std::optional<std::string> bmx_device_id;
};

struct Panel {
  std::string id;
  NewPanel panel;
  std::string api_key;  // shown once, on the answer that created it; only its hash is kept
};

}  // namespace frontdoor::properties
