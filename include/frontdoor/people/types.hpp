#pragma once

#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"

namespace frontdoor::people {

struct MoveIn {
  std::string unit_id;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string phone;
  bool directory_listed = true;
};

// A residency as the property's staff see it: the manager's details, not the account's.
struct Resident {
  std::string id;  // the residency
  std::string user_id;
  std::string unit_id;
  std::string unit_label;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::optional<std::string> phone;
  bool directory_listed = false;
  common::TimePoint moved_in_at;
};

struct MovedOut {
  std::string residency_id;
  std::string user_id;
  std::string property_id;
};

// Residents are listed by last name, first name (case-folded) and id.
struct NameAndId {
  std::string last_name;
  std::string first_name;
  std::string id;
};
struct ResidentQuery {
  common::PageQuery<NameAndId> page;
  std::optional<std::string> name_prefix;  // matches the first or the last name
};
using ResidentPage = common::Page<Resident, NameAndId>;

// What a resident changes of their own directory entry: an empty optional
// leaves a field; change_name with no display_name resets it to first and last name.
struct DirectoryChange {
  std::optional<std::string> property_id;  // needed when they live at several
  std::optional<bool> listed;
  bool change_name = false;
  std::optional<std::string> display_name;
};
struct DirectoryEntry {
  bool listed = false;
  std::string display_name;
  bool custom_display_name = false;
};

struct Device {
  std::string platform;  // ios, android
  std::string push_token;
  std::optional<std::string> voip_token;
  bool bmx_app_installed = false;
};
struct RegisteredDevice {
  std::string id;
  std::string platform;
  bool bmx_app_installed = false;
  bool voip = false;
};

// What support sees of one device: that it exists, never its tokens.
struct DeviceReport {
  std::string id;
  std::string platform;
  bool voip_token_registered = false;
  bool bmx_app_installed = false;
  common::TimePoint registered_at;
  std::optional<common::TimePoint> last_push_at;
  std::optional<std::string> last_push_outcome;
};
struct Diagnostics {
  MovedOut who;  // the residency, its person and property
  Resident resident;
  std::vector<DeviceReport> devices;
};

}  // namespace frontdoor::people
