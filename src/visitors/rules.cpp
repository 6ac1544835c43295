#include "frontdoor/visitors/rules.hpp"

#include <string>

namespace frontdoor::visitors::rules {

std::vector<common::FieldError> window_problems(const NewVisit& visit, common::TimePoint now) {
  std::vector<common::FieldError> errors;
  if (visit.ends_at <= visit.starts_at) {
    errors.push_back({"ends_at", "before_start", "Must be after starts_at."});
  } else if (visit.ends_at - visit.starts_at > kLongestVisit) {
    errors.push_back({"ends_at", "too_long", "A visit lasts at most a year."});
  }
  if (visit.ends_at <= now) {
    errors.push_back({"ends_at", "in_the_past", "Must be in the future."});
  }
  if (visit.starts_at < now - kStartSlack) {
    errors.push_back({"starts_at", "in_the_past", "Must be now or later."});
  }
  return errors;
}

std::optional<common::ApiError> length_refusal(const NewVisit& visit, int property_only_max_hours) {
  if (visit.access != "property_only" ||
      visit.ends_at - visit.starts_at <= std::chrono::hours(property_only_max_hours)) {
    return std::nullopt;
  }
  const auto hours = std::to_string(property_only_max_hours);
  return common::ApiError::unprocessable(
      "duration_exceeds_limit",
      "A property-only visit may last at most " + hours + " hours at this property.",
      {{"ends_at", "duration_exceeds_limit", "At most " + hours + " hours after starts_at."}});
}

std::optional<common::ApiError> limit_refusal(const PassLimits& limits,
                                              const HostedPasses& hosted) {
  if (limits.max_active && hosted.active >= *limits.max_active) {
    return common::ApiError::conflict("active_pass_limit_reached",
                                      "You hold " + std::to_string(hosted.active) +
                                          " active visitor passes, the most this "
                                          "property allows. Revoke one, or wait until one ends.");
  }
  if (limits.max_per_day && hosted.created_today >= *limits.max_per_day) {
    return common::ApiError::conflict("daily_pass_limit_reached",
                                      "You have added " + std::to_string(hosted.created_today) +
                                          " visitors today, the most "
                                          "this property allows per day. Try again tomorrow.");
  }
  return std::nullopt;
}

}  // namespace frontdoor::visitors::rules
