#include "frontdoor/visitors/rules.hpp"

#include <algorithm>
#include <string>

#include "frontdoor/common/zone.hpp"

namespace frontdoor::visitors::rules {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

bool on_a_window_day(const Schedule& schedule, sys_days day) {
  const std::chrono::weekday weekday(day);
  return std::find(schedule.days.begin(), schedule.days.end(), weekday) != schedule.days.end();
}

// The first window day from starts_on to ends_on (a week at most to look).
std::optional<sys_days> first_window_day(const Schedule& schedule) {
  for (auto day = schedule.starts_on; day <= schedule.ends_on && day < schedule.starts_on + days(7);
       day += days(1)) {
    if (on_a_window_day(schedule, day)) return day;
  }
  return std::nullopt;
}
std::string day_month_year(sys_days day) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::chrono::year_month_day date(day);
  return std::to_string(static_cast<unsigned>(date.day())) + " " +
         kMonths[static_cast<unsigned>(date.month()) - 1] + " " +
         std::to_string(static_cast<int>(date.year()));
}

std::string clock(std::chrono::minutes time_of_day) {
  const auto hours = time_of_day.count() / 60, minutes = time_of_day.count() % 60;
  return (hours < 10 ? "0" : "") + std::to_string(hours) + ":" + (minutes < 10 ? "0" : "") +
         std::to_string(minutes);
}

}  // namespace

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
  if (visit.access != Access::property_only ||
      visit.ends_at - visit.starts_at <= std::chrono::hours(property_only_max_hours)) {
    return std::nullopt;
  }
  const auto hours = std::to_string(property_only_max_hours);
  return common::ApiError::unprocessable(
      "duration_exceeds_limit",
      "A property-only visit may last at most " + hours + " hours at this property.",
      {{"ends_at", "duration_exceeds_limit", "At most " + hours + " hours after starts_at."}});
}

std::vector<common::FieldError> schedule_problems(const Schedule& schedule, sys_days today) {
  std::vector<common::FieldError> errors;
  if (schedule.days.empty()) {
    errors.push_back({"schedule.days", "required", "Name at least one day, e.g. [\"mon\"]."});
  }
  if (schedule.to <= schedule.from) {
    errors.push_back({"schedule.to", "before_from", "Must be later in the day than from."});
  }
  if (schedule.ends_on < schedule.starts_on) {
    errors.push_back({"schedule.ends_on", "before_start", "Must be on or after starts_on."});
  } else if ((schedule.ends_on - schedule.starts_on).count() + 1 > kLongestScheduleDays) {
    errors.push_back(
        {"schedule.ends_on", "too_long",
         "A weekly pass lasts at most " + std::to_string(kLongestScheduleDays) + " days."});
  } else if (!schedule.days.empty() && !first_window_day(schedule)) {
    errors.push_back(
        {"schedule.days", "no_day_in_range", "None of these days falls between the dates."});
  }
  if (schedule.starts_on < today) {
    errors.push_back(
        {"schedule.starts_on", "in_the_past", "Must be today or later (the property's date)."});
  }
  return errors;
}

common::ApiError schedule_refusal(std::vector<common::FieldError> problems) {
  return common::ApiError::unprocessable("schedule_invalid",
                                         "The weekly schedule is not valid; see the field errors.",
                                         std::move(problems));
}

std::optional<common::ApiError> daily_length_refusal(const NewVisit& visit,
                                                     int property_only_max_hours) {
  if (visit.access != Access::property_only || !visit.schedule ||
      visit.schedule->to - visit.schedule->from <= std::chrono::hours(property_only_max_hours)) {
    return std::nullopt;
  }
  const auto hours = std::to_string(property_only_max_hours);
  return schedule_refusal(
      {{"schedule.to", "duration_exceeds_limit",
        "A property-only visit may last at most " + hours + " hours a day at this property."}});
}

std::optional<Span> schedule_span(const Schedule& schedule, const std::string& zone) {
  // A window that starts in a repeated hour starts at its first pass, and one
  // that ends there ends at its second: the visitor never gets less time. A
  // window that lies wholly in the hour the clocks skip does not happen that
  // day, so the span runs from the first window that happens to the last.
  const auto window_on = [&](sys_days day) -> std::optional<Span> {
    if (!on_a_window_day(schedule, day)) return std::nullopt;
    Span span{common::instant_of(zone, day, schedule.from, common::Ambiguity::earliest),
              common::instant_of(zone, day, schedule.to, common::Ambiguity::latest)};
    if (span.ends_at <= span.starts_at) return std::nullopt;
    return span;
  };
  std::optional<Span> first, last;
  for (auto day = schedule.starts_on; day <= schedule.ends_on && !first; day += days(1)) {
    first = window_on(day);
  }
  for (auto day = schedule.ends_on; day >= schedule.starts_on && first && !last; day -= days(1)) {
    last = window_on(day);
  }
  if (!first || !last) return std::nullopt;
  return Span{first->starts_at, last->ends_at};
}

bool schedule_open_at(const Schedule& schedule, const std::string& zone,
                      common::TimePoint instant) {
  const auto local = common::local_moment(zone, instant);
  return local.day >= schedule.starts_on && local.day <= schedule.ends_on &&
         on_a_window_day(schedule, local.day) && local.time_of_day >= schedule.from &&
         local.time_of_day < schedule.to;
}

std::string schedule_text(const Schedule& schedule, sys_days today) {
  std::string text;
  for (const auto day : schedule.days) {
    if (!text.empty()) text += ", ";
    auto name = common::weekday_name(day);
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    text += name;
  }
  text += " " + clock(schedule.from) + "\u2013" + clock(schedule.to) + ", ";
  if (schedule.starts_on > today) text += "from " + day_month_year(schedule.starts_on) + ", ";
  return text + "until " + day_month_year(schedule.ends_on);
}

VisitorStatus status_at(const Visitor& visitor, common::TimePoint now) {
  const auto& pass = visitor.pass;
  if (pass.max_uses && pass.uses >= *pass.max_uses) return VisitorStatus::used_up;
  if (pass.status == PassStatus::revoked) return VisitorStatus::revoked;
  if (visitor.ends_at <= now) return VisitorStatus::expired;
  if (visitor.arrived_at) return VisitorStatus::arrived;
  if (visitor.starts_at > now) return VisitorStatus::scheduled;
  return VisitorStatus::active;
}

std::optional<int> uses_allowed(const NewVisit& visit) {
  if (visit.kind == Kind::one_time || visit.kind == Kind::delivery) return 1;
  return visit.max_uses;
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
