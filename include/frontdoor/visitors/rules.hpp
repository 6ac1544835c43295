#pragma once

// The visitors module's pure rules: when a visit may be, and how long the
// property lets it last. No I/O: unit-tested on their own
// (tests/unit/visitor_rules_test.cpp).
#include <chrono>
#include <optional>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::visitors::rules {

// BMX keychains last at most a year; a visit that ended is no visit.
inline constexpr auto kLongestVisit = std::chrono::hours(24 * 365);
// Clocks differ a little: a start a few minutes ago still counts as "now".
inline constexpr auto kStartSlack = std::chrono::minutes(5);

// What is wrong with the visit's window at `now`, field by field (empty: nothing).
std::vector<common::FieldError> window_problems(const NewVisit& visit, common::TimePoint now);

// The 422 for a property-only visit longer than the property allows; nothing for
// one within the limit, and for property-wide visits (they have no such limit).
std::optional<common::ApiError> length_refusal(const NewVisit& visit, int property_only_max_hours);

// A property's per-resident pass limits (nothing: no limit), and where the
// resident stands against them before one more pass.
struct PassLimits {
  std::optional<int> max_active;
  std::optional<int> max_per_day;
  bool any() const { return max_active || max_per_day; }
};
struct HostedPasses {
  int active = 0;         // neither revoked nor failed, and not over
  int created_today = 0;  // since midnight in the property's time zone
};
// The 409 for one pass more than a limit allows; nothing when it is allowed.
std::optional<common::ApiError> limit_refusal(const PassLimits& limits, const HostedPasses& hosted);

}  // namespace frontdoor::visitors::rules
