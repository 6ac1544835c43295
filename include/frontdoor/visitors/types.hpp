#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"

namespace frontdoor::visitors {

// The kinds of pass (CONTRACT.md, "Pass kinds, limits and the deny list"), each
// issued as its own BMX keychain type.
enum class Kind { window, one_time, recurring, delivery };
std::string_view kind_name(Kind kind);
std::optional<Kind> kind_named(std::string_view name);

// A weekly pass's windows, on the property's wall clock: on each of `days`
// from `from` to `to`, every week from starts_on to ends_on (both included).
struct Schedule {
  std::vector<std::chrono::weekday> days;  // unique, Monday first
  std::chrono::minutes from{};             // after local midnight
  std::chrono::minutes to{};
  std::chrono::sys_days starts_on;
  std::chrono::sys_days ends_on;
};

// A visit to add, as a resident or the staff asked for it.
// The name a courier's pass carries when none was given.
inline constexpr const char* kDeliveryName = "Delivery";

struct NewVisit {
  Kind kind = Kind::window;
  std::optional<Schedule> schedule;  // recurring only; its span fills starts_at/ends_at
  std::optional<int> max_uses;       // window only; one_time and delivery have 1
  // A resident who lives at several properties names the one the visit is to.
  std::optional<std::string> property_id;
  std::string name;
  // Whether the name is the visitor's own (a courier's may be left out, and is
  // then kDeliveryName): only a given name is checked against the deny list.
  bool name_given = true;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string access;  // property_only, property_wide
  common::TimePoint starts_at;
  common::TimePoint ends_at;
};

// A visitor as the apps see it, with its pass.
struct Visitor {
  struct Pass {
    std::string status;  // pending, issued, failed, revoked
    // Entries BMX reported for the pass's key, and the cap (nothing: no cap).
    int uses = 0;
    std::optional<int> max_uses;
    std::optional<std::string> first_used_at;  // RFC 3339
    std::optional<std::string> last_used_at;
    std::optional<std::string> failure_code;
    std::optional<std::string> failure_reason;
    // The pass page of a property-only visitor, on the answer that created it only:
    // the link is not kept (its token is stored as a hash).
    std::optional<std::string> url;
  };
  std::string id;
  std::string property_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string access;
  Kind kind = Kind::window;
  std::optional<Schedule> schedule;
  std::string starts_at;  // RFC 3339
  std::string ends_at;
  std::string created_at;
  std::optional<std::string> arrived_at;
  std::string status;  // scheduled, active, arrived, used_up, expired, revoked
  Pass pass;
  std::string cursor;  // created_at with microseconds, for the next page
};

// Someone the property has banned from being invited (its deny list).
struct NewDenial {
  std::optional<std::string> name;
  std::optional<std::string> phone;  // E.164
  std::optional<std::string> email;  // lower case
  std::string reason;                // for the staff; never shown to residents
};
struct Denial {
  std::string id;
  std::string property_id;
  std::optional<std::string> name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string reason;
  std::string created_at;  // RFC 3339
  std::string cursor;      // created_at with microseconds, for the next page
  // On the answer that added it: the visitors whose passes it revoked.
  std::vector<std::string> revoked_visitor_ids = {};
};

// Newest first, keyset on (created_at, id).
using DenialQuery = common::PageQuery<common::TimeAndId>;
using DenialPage = common::Page<Denial, common::TimeAndId>;
using VisitorQuery = common::PageQuery<common::TimeAndId>;
using VisitorPage = common::Page<Visitor, common::TimeAndId>;

}  // namespace frontdoor::visitors
