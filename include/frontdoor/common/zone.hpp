#pragma once

// Local time in an IANA time zone ("America/New_York"), from the operating
// system's tzdata (the same files Postgres reads). Weekly schedules are kept in
// local time and turned into instants only here, so that a 09:00-12:00 window
// stays 09:00-12:00 on the wall clock across a daylight-saving change.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/clock.hpp"

namespace frontdoor::common {

// A day and a time on the zone's wall clock.
struct LocalMoment {
  std::chrono::sys_days day;           // the local date (as a count of days)
  std::chrono::minutes time_of_day{};  // minutes after local midnight
};

// Throws std::runtime_error for a zone the system does not know.
LocalMoment local_moment(const std::string& zone, TimePoint instant);

// Which instant a wall-clock time means when the clocks change: in a gap
// (02:30 on the spring-forward night) both give the instant the clocks jump; in
// a repeated hour (01:30 on the fall-back night) earliest is the first pass
// through it, latest the second.
enum class Ambiguity { earliest, latest };
TimePoint instant_of(const std::string& zone, std::chrono::sys_days day,
                     std::chrono::minutes time_of_day, Ambiguity choose);

// Wall-clock text as the API and BMX write it: "09:00" (00:00 to 23:59) and
// "2027-03-01" (a date that exists); nothing for anything else.
std::optional<std::chrono::minutes> parse_clock_time(const std::string& text);
std::optional<std::chrono::sys_days> parse_local_date(const std::string& text);
std::string clock_text(std::chrono::minutes time_of_day);
std::string date_text(std::chrono::sys_days day);

// "mon".."sun", the weekday names of the API and of BMX; and back.
std::string weekday_name(std::chrono::weekday day);
std::optional<std::chrono::weekday> weekday_named(const std::string& name);

// Whether the system knows the zone.
bool known_zone(const std::string& zone);

// Every zone the system's tzdata names, and the instants at which one's offset
// from UTC changes between two instants (for tests that walk them all).
std::vector<std::string> known_zones();
std::vector<TimePoint> offset_changes(const std::string& zone, TimePoint from, TimePoint to);

}  // namespace frontdoor::common
