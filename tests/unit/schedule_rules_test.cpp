// Weekly passes: which schedules are valid, and which instants they open at, on
// the property's wall clock, daylight-saving changes included (America/New_York
// springs forward on Sun 14 Mar 2027 at 02:00 and falls back on Sun 7 Nov 2027
// at 02:00; the zone data is the system's tzdata).
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "frontdoor/common/time.hpp"
#include "frontdoor/common/zone.hpp"
#include "frontdoor/visitors/rules.hpp"

namespace frontdoor::visitors {
namespace {

using namespace std::chrono;
using std::chrono::days;

const std::string kNewYork = "America/New_York";

sys_days on(int y, int m, int d) { return sys_days(year(y) / month(m) / day(d)); }

common::TimePoint at(const char* rfc3339) { return *common::parse_rfc3339(rfc3339); }

Schedule weekly(std::vector<weekday> days_of_week, int from_hour, int to_hour, sys_days starts_on,
                sys_days ends_on) {
  return {std::move(days_of_week), hours(from_hour), hours(to_hour), starts_on, ends_on};
}

std::set<std::string> problems(const Schedule& schedule, sys_days today) {
  std::set<std::string> found;
  for (const auto& error : rules::schedule_problems(schedule, today)) {
    found.insert(error.field + ":" + error.code);
  }
  return found;
}

TEST(ScheduleRules, AWeeklyMorningFromTodayIsFine) {
  const auto today = on(2027, 3, 1);
  EXPECT_TRUE(problems(weekly({Monday, Thursday}, 9, 12, today, on(2027, 6, 1)), today).empty());
}

TEST(ScheduleRules, EachBadPartIsNamed) {
  const auto today = on(2027, 3, 1);
  EXPECT_EQ(problems(weekly({}, 9, 12, today, today + days(7)), today),
            std::set<std::string>{"schedule.days:required"});
  EXPECT_EQ(problems(weekly({Monday}, 12, 9, today, today + days(7)), today),
            std::set<std::string>{"schedule.to:before_from"});
  EXPECT_EQ(problems(weekly({Monday}, 9, 9, today, today + days(7)), today),
            std::set<std::string>{"schedule.to:before_from"});
  EXPECT_EQ(problems(weekly({Monday}, 9, 12, today + days(7), today), today),
            std::set<std::string>{"schedule.ends_on:before_start"});
  EXPECT_EQ(problems(weekly({Monday}, 9, 12, today - days(1), today + days(7)), today),
            std::set<std::string>{"schedule.starts_on:in_the_past"});
  // 1 Mar 2027 is a Monday: a Tuesday-only pass for that one day has no window.
  EXPECT_EQ(problems(weekly({Tuesday}, 9, 12, today, today), today),
            std::set<std::string>{"schedule.days:no_day_in_range"});
}

TEST(ScheduleRules, AWeeklyPassCoversAtMost366Days) {
  const auto today = on(2027, 3, 1);
  EXPECT_TRUE(problems(weekly({Monday}, 9, 12, today, today + days(365)), today).empty());
  EXPECT_EQ(problems(weekly({Monday}, 9, 12, today, today + days(366)), today),
            std::set<std::string>{"schedule.ends_on:too_long"});
}

TEST(ScheduleRules, APropertyOnlyDayObeysTheHoursLimit) {
  NewVisit visit;
  visit.kind = Kind::recurring;
  visit.access = Access::property_only;
  visit.schedule = weekly({Monday}, 9, 12, on(2027, 3, 1), on(2027, 4, 1));
  EXPECT_FALSE(rules::daily_length_refusal(visit, 3));
  const auto refused = rules::daily_length_refusal(visit, 2);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status(), 422);
  EXPECT_EQ(refused->code(), "schedule_invalid");
  visit.access = Access::property_wide;
  EXPECT_FALSE(rules::daily_length_refusal(visit, 2));
}

TEST(ScheduleRules, OneTimeAndDeliveryPassesAllowOneEntry) {
  NewVisit visit;
  EXPECT_FALSE(rules::uses_allowed(visit));
  visit.max_uses = 10;
  EXPECT_EQ(rules::uses_allowed(visit), 10);
  visit.kind = Kind::one_time;
  visit.max_uses.reset();
  EXPECT_EQ(rules::uses_allowed(visit), 1);
  visit.kind = Kind::delivery;
  EXPECT_EQ(rules::uses_allowed(visit), 1);
}

TEST(ScheduleSpan, RunsFromTheFirstWindowToTheLastAcrossTheSpringChange) {
  // Mondays 09:00-12:00 from Mon 8 Mar (EST, UTC-5) to Mon 15 Mar (EDT, UTC-4).
  const auto span =
      rules::schedule_span(weekly({Monday}, 9, 12, on(2027, 3, 8), on(2027, 3, 15)), kNewYork);
  ASSERT_TRUE(span);
  EXPECT_EQ(common::to_rfc3339(span->starts_at), "2027-03-08T14:00:00Z");
  EXPECT_EQ(common::to_rfc3339(span->ends_at), "2027-03-15T16:00:00Z");
}

TEST(ScheduleSpan, SkipsDaysThatAreNotInTheSchedule) {
  // From Wed 3 Mar to Sat 13 Mar, Mondays and Thursdays: Thu 4 Mar to Thu 11 Mar.
  const auto span = rules::schedule_span(
      weekly({Monday, Thursday}, 9, 12, on(2027, 3, 3), on(2027, 3, 13)), kNewYork);
  ASSERT_TRUE(span);
  EXPECT_EQ(common::to_rfc3339(span->starts_at), "2027-03-04T14:00:00Z");
  EXPECT_EQ(common::to_rfc3339(span->ends_at), "2027-03-11T17:00:00Z");
}

TEST(ScheduleOpen, NineToNoonStaysNineToNoonOnTheWallClockAcrossTheSpringChange) {
  const auto mondays = weekly({Monday}, 9, 12, on(2027, 3, 1), on(2027, 3, 31));
  // Before the change (UTC-5): 09:30 local is 14:30Z.
  EXPECT_TRUE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-08T14:30:00Z")));
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-08T13:30:00Z")));
  // After it (UTC-4): 13:30Z is 09:30 local, open; 16:30Z is 12:30 local, closed
  // (it was 11:30 before the change: a fixed offset would get it wrong).
  EXPECT_TRUE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-15T13:30:00Z")));
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-15T16:30:00Z")));
  EXPECT_TRUE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-08T16:30:00Z")));
}

TEST(ScheduleOpen, NineToNoonStaysNineToNoonAcrossTheAutumnChange) {
  const auto mondays = weekly({Monday}, 9, 12, on(2027, 11, 1), on(2027, 11, 30));
  // Mon 1 Nov is EDT (UTC-4), Mon 8 Nov EST (UTC-5).
  EXPECT_TRUE(rules::schedule_open_at(mondays, kNewYork, at("2027-11-01T13:00:00Z")));
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-11-08T13:30:00Z")));
  EXPECT_TRUE(rules::schedule_open_at(mondays, kNewYork, at("2027-11-08T14:00:00Z")));
  EXPECT_TRUE(rules::schedule_open_at(mondays, kNewYork, at("2027-11-08T16:59:00Z")));
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-11-08T17:00:00Z")));
}

TEST(ScheduleOpen, OnlyOnItsDaysAndBetweenItsDates) {
  const auto mondays = weekly({Monday}, 9, 12, on(2027, 3, 8), on(2027, 3, 15));
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-09T14:30:00Z")));  // Tue
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-01T14:30:00Z")));  // before
  EXPECT_FALSE(rules::schedule_open_at(mondays, kNewYork, at("2027-03-22T13:30:00Z")));  // after
}

TEST(ScheduleSpan, AWindowInTheRepeatedHourGetsTheLongerReading) {
  // Sundays 01:00-01:45 on Sun 7 Nov 2027, when 01:00-02:00 happens twice:
  // from the first 01:00 (05:00Z, EDT) to the second 01:45 (06:45Z, EST).
  Schedule early_morning = weekly({Sunday}, 1, 1, on(2027, 11, 7), on(2027, 11, 7));
  early_morning.to = minutes(105);
  const auto longer = rules::schedule_span(early_morning, kNewYork);
  ASSERT_TRUE(longer);
  EXPECT_EQ(common::to_rfc3339(longer->starts_at), "2027-11-07T05:00:00Z");
  EXPECT_EQ(common::to_rfc3339(longer->ends_at), "2027-11-07T06:45:00Z");
}

TEST(ScheduleSpan, AWindowThatStartsInTheSkippedHourStartsWhenTheClocksJump) {
  // Sun 14 Mar 2027: 02:00-03:00 does not exist; a 02:30-05:00 window starts
  // at 03:00 EDT (07:00Z).
  Schedule night = weekly({Sunday}, 2, 5, on(2027, 3, 14), on(2027, 3, 14));
  night.from = minutes(150);
  const auto span = rules::schedule_span(night, kNewYork);
  ASSERT_TRUE(span);
  EXPECT_EQ(common::to_rfc3339(span->starts_at), "2027-03-14T07:00:00Z");
  EXPECT_EQ(common::to_rfc3339(span->ends_at), "2027-03-14T09:00:00Z");
}

TEST(ScheduleText, ReadsAsTheAppsAndThePageShowIt) {
  const auto schedule = weekly({Monday, Thursday}, 9, 12, on(2027, 1, 4), on(2027, 3, 1));
  EXPECT_EQ(rules::schedule_text(schedule, on(2027, 1, 4)),
            "Mon, Thu 09:00\u201312:00, until 1 Mar 2027");
  EXPECT_EQ(rules::schedule_text(schedule, on(2027, 1, 1)),
            "Mon, Thu 09:00\u201312:00, from 4 Jan 2027, until 1 Mar 2027");
}

TEST(Zones, LocalMomentsFollowTheZone) {
  const auto local = common::local_moment(kNewYork, at("2027-03-15T13:30:00Z"));
  EXPECT_EQ(local.day, on(2027, 3, 15));
  EXPECT_EQ(local.time_of_day, minutes(9 * 60 + 30));
  EXPECT_TRUE(common::known_zone("Europe/Zurich"));
  EXPECT_FALSE(common::known_zone("Mars/Olympus_Mons"));
  EXPECT_THROW(common::local_moment("Mars/Olympus_Mons", at("2027-03-15T13:30:00Z")),
               std::runtime_error);
}

// Issue 29: a weekly pass for Sun 02:00-03:00 on the night the clocks skip that
// hour answered 500 (its span ended where it started). Such a schedule has no
// window at all, and is refused as a schedule error.
TEST(ScheduleSpan, AScheduleWhoseOnlyWindowTheClocksSkipHasNoSpan) {
  const auto skipped = weekly({Sunday}, 2, 3, on(2027, 3, 14), on(2027, 3, 14));
  EXPECT_FALSE(rules::schedule_span(skipped, "America/Chicago").has_value());
  // Over several weeks the skipped Sunday is simply not one of its windows.
  const auto spring = weekly({Sunday}, 2, 3, on(2027, 3, 7), on(2027, 3, 21));
  const auto span = rules::schedule_span(spring, "America/Chicago");
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(common::to_rfc3339(span->starts_at), "2027-03-07T08:00:00Z");
  EXPECT_EQ(common::to_rfc3339(span->ends_at), "2027-03-21T08:00:00Z");
  const auto last_skipped = weekly({Sunday}, 2, 3, on(2027, 3, 7), on(2027, 3, 14));
  EXPECT_EQ(common::to_rfc3339(rules::schedule_span(last_skipped, "America/Chicago")->ends_at),
            "2027-03-07T09:00:00Z");
}

// Every zone in tzdata and every change of its offset from 2026 to 2029, with
// windows of every half hour within three hours of the change: a span is never
// empty, it opens at its start, every open instant lies inside it, and a
// schedule without a span never opens at all.
TEST(ScheduleSpan, EveryWindowAroundEveryClockChangeInEveryZoneKeepsItsRules) {
  const auto from = at("2026-01-01T00:00:00Z"), to = at("2029-01-01T00:00:00Z");
  int changes = 0, windows = 0, vanished = 0;
  for (const auto& zone : common::known_zones()) {
    for (const auto change : common::offset_changes(zone, from, to)) {
      ++changes;
      const auto local = common::local_moment(zone, change);
      const auto day = local.day;
      const auto centre = local.time_of_day / minutes(30) * minutes(30);
      for (auto start = centre - hours(3); start <= centre + hours(3); start += minutes(30)) {
        for (auto end = start + minutes(30); end <= centre + hours(3); end += minutes(30)) {
          if (start < minutes(0) || end > hours(24) - minutes(1)) continue;
          const Schedule schedule{{weekday(day)}, start, end, day, day};
          ++windows;
          const auto span = rules::schedule_span(schedule, zone);
          if (!span) ++vanished;
          ASSERT_TRUE(!span || span->starts_at < span->ends_at)
              << zone << " " << common::to_rfc3339(change);
          if (span) {
            EXPECT_TRUE(rules::schedule_open_at(schedule, zone, span->starts_at))
                << zone << " " << common::to_rfc3339(span->starts_at);
          }
          // Every instant the wall clock says open lies inside the span; no
          // instant of a schedule without one is open.
          for (auto t = change - hours(4); t < change + hours(4); t += minutes(10)) {
            if (!rules::schedule_open_at(schedule, zone, t)) continue;
            ASSERT_TRUE(span && span->starts_at <= t && t < span->ends_at)
                << zone << " " << common::to_rfc3339(t) << " " << common::clock_text(start) << "-"
                << common::clock_text(end) << " on " << common::date_text(day);
          }
        }
      }
    }
  }
  // The walk covered real changes, and some windows really vanished.
  EXPECT_GT(changes, 200);
  EXPECT_GT(vanished, 50);
  RecordProperty("windows", windows);
}

}  // namespace
}  // namespace frontdoor::visitors
