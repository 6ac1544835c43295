#include "frontdoor/common/zone.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace frontdoor::common {
namespace {

const date::time_zone* zone_named(const std::string& zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::runtime_error&) {
    throw std::runtime_error("unknown time zone: " + zone);
  }
}

}  // namespace

LocalMoment local_moment(const std::string& zone, TimePoint instant) {
  const auto local = zone_named(zone)->to_local(instant);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  return {std::chrono::sys_days(day.time_since_epoch()),
          std::chrono::floor<std::chrono::minutes>(local - day)};
}

TimePoint instant_of(const std::string& zone, std::chrono::sys_days day,
                     std::chrono::minutes time_of_day, Ambiguity choose) {
  const date::local_time<std::chrono::minutes> local{day.time_since_epoch() + time_of_day};
  return zone_named(zone)->to_sys(
      local, choose == Ambiguity::earliest ? date::choose::earliest : date::choose::latest);
}

std::string clock_text(std::chrono::minutes time_of_day) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(time_of_day.count() / 60),
                static_cast<int>(time_of_day.count() % 60));
  return text;
}

std::string date_text(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

namespace {
bool all_digits(const std::string& text, std::size_t from, std::size_t count) {
  return std::all_of(text.begin() + static_cast<long>(from),
                     text.begin() + static_cast<long>(from + count),
                     [](unsigned char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

// "HH:MM", 00:00 to 23:59.
std::optional<std::chrono::minutes> parse_clock_time(const std::string& text) {
  if (text.size() != 5 || text[2] != ':' || !all_digits(text, 0, 2) || !all_digits(text, 3, 2)) {
    return std::nullopt;
  }
  const int hour = std::stoi(text.substr(0, 2));
  const int minute = std::stoi(text.substr(3, 2));
  if (hour > 23 || minute > 59) return std::nullopt;
  return std::chrono::minutes(hour * 60 + minute);
}

// "YYYY-MM-DD", a date that exists.
std::optional<std::chrono::sys_days> parse_local_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text, 0, 4) ||
      !all_digits(text, 5, 2) || !all_digits(text, 8, 2)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(std::stoi(text.substr(0, 4))),
                                         std::chrono::month(std::stoul(text.substr(5, 2))),
                                         std::chrono::day(std::stoul(text.substr(8, 2)))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date);
}

namespace {
constexpr const char* kWeekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
}  // namespace

std::string weekday_name(std::chrono::weekday day) { return kWeekdays[day.c_encoding()]; }

std::optional<std::chrono::weekday> weekday_named(const std::string& name) {
  for (unsigned i = 0; i < 7; ++i) {
    if (name == kWeekdays[i]) return std::chrono::weekday(i);
  }
  return std::nullopt;
}

bool known_zone(const std::string& zone) {
  try {
    date::locate_zone(zone);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

std::vector<std::string> known_zones() {
  std::vector<std::string> names;
  for (const auto& zone : date::get_tzdb().zones) names.emplace_back(zone.name());
  return names;
}

std::vector<TimePoint> offset_changes(const std::string& zone, TimePoint from, TimePoint to) {
  const auto* found = zone_named(zone);
  std::vector<TimePoint> changes;
  // Compared in seconds: a zone's last period ends at a far-future sentinel that
  // does not fit in nanoseconds.
  const auto until = std::chrono::ceil<std::chrono::seconds>(to);
  auto info = found->get_info(std::chrono::floor<std::chrono::seconds>(from));
  while (info.end < until) {
    const auto next = found->get_info(info.end);
    // A zone's last period may end at a sentinel that leads back to itself.
    if (next.end <= info.end) break;
    if (next.offset != info.offset) changes.emplace_back(info.end);
    info = next;
  }
  return changes;
}

}  // namespace frontdoor::common
