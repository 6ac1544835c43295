#pragma once

// The visitors module's pure rules: when a visit may be, and how long the
// property lets it last. No I/O: unit-tested on their own
// (tests/unit/visitor_rules_test.cpp).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::visitors::rules {

// BMX keychains last at most a year; a visit that ended is no visit.
inline constexpr auto kLongestVisit = std::chrono::hours(24 * 365);
// Clocks differ a little: a start a few minutes ago still counts as "now".
inline constexpr auto kStartSlack = std::chrono::minutes(5);

// A weekly pass covers at most this many calendar days, first and last included.
inline constexpr int kLongestScheduleDays = 366;

// What is wrong with the visit's window at `now`, field by field (empty: nothing).
std::vector<common::FieldError> window_problems(const NewVisit& visit, common::TimePoint now);

// The 422 for a property-only visit longer than the property allows; nothing for
// one within the limit, and for property-wide visits (they have no such limit).
std::optional<common::ApiError> length_refusal(const NewVisit& visit, int property_only_max_hours);

// What is wrong with a weekly schedule whose property's date is `today`, field
// by field ("schedule.to", ...); empty when nothing is.
std::vector<common::FieldError> schedule_problems(const Schedule& schedule,
                                                  std::chrono::sys_days today);
// The 422 schedule_invalid for a property-only schedule whose daily window is
// longer than the property allows; nothing when it is not.
std::optional<common::ApiError> daily_length_refusal(const NewVisit& visit,
                                                     int property_only_max_hours);
// The 422 schedule_invalid for a list of schedule problems.
common::ApiError schedule_refusal(std::vector<common::FieldError> problems);

// From the start of the schedule's first window to the end of its last, in the
// zone; nothing when no window falls between starts_on and ends_on.
struct Span {
  common::TimePoint starts_at;
  common::TimePoint ends_at;
};
std::optional<Span> schedule_span(const Schedule& schedule, const std::string& zone);
// Whether `instant` falls inside one of the schedule's windows, on the zone's
// wall clock.
bool schedule_open_at(const Schedule& schedule, const std::string& zone, common::TimePoint instant);

// The schedule as people read it: "Mon, Thu 09:00–12:00, until 1 Mar 2027"
// (with "from 8 Mar 2027, " before "until" when it starts after `today`).
std::string schedule_text(const Schedule& schedule, std::chrono::sys_days today);

// What the apps show for a visit at `now`: a pass that reached its cap is used
// up, then a revoked one revoked; otherwise its window decides, unless the
// visitor arrived.
VisitorStatus status_at(const Visitor& visitor, common::TimePoint now);

// How many entries a pass of this kind allows (nothing: no cap).
std::optional<int> uses_allowed(const NewVisit& visit);

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
