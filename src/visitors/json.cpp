#include "frontdoor/visitors/json.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "frontdoor/common/zone.hpp"
#include "frontdoor/http/json_writer.hpp"

namespace frontdoor::visitors {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::weekday;

// One of the schedule's text fields, read by `parse`; a field error otherwise.
template <typename Parse>
auto schedule_field(const nlohmann::json& schedule, const char* name, const char* format,
                    Parse parse, std::vector<common::FieldError>& problems)
    -> decltype(parse(std::string())) {
  const std::string field = std::string("schedule.") + name;
  if (!schedule.contains(name) || schedule[name].is_null()) {
    problems.push_back({field, "required", "Required."});
    return std::nullopt;
  }
  auto parsed = schedule[name].is_string() ? parse(schedule[name].get<std::string>())
                                           : decltype(parse(std::string()))();
  if (!parsed) problems.push_back({field, "format", std::string("Use ") + format + "."});
  return parsed;
}

std::vector<weekday> days_from(const nlohmann::json& schedule,
                               std::vector<common::FieldError>& problems) {
  std::vector<weekday> found;
  if (!schedule.contains("days") || !schedule["days"].is_array() || schedule["days"].size() > 7) {
    problems.push_back({"schedule.days", "format", R"(A list of days, e.g. ["mon", "thu"].)"});
    return found;
  }
  for (const auto& item : schedule["days"]) {
    const auto day =
        item.is_string() ? common::weekday_named(item.get<std::string>()) : std::nullopt;
    if (!day) {
      problems.push_back(
          {"schedule.days", "format", "Days are mon, tue, wed, thu, fri, sat, sun."});
      return {};
    }
    if (std::find(found.begin(), found.end(), *day) != found.end()) {
      problems.push_back({"schedule.days", "duplicate", "Name each day once."});
      return {};
    }
    found.push_back(*day);
  }
  std::sort(found.begin(), found.end(),
            [](weekday a, weekday b) { return a.iso_encoding() < b.iso_encoding(); });
  return found;
}

}  // namespace

std::string schedule_json(const Schedule& schedule) {
  http::JsonWriter out;
  out.begin_object().key("days").begin_array();
  for (const auto day : schedule.days) out.value(common::weekday_name(day));
  out.end_array()
      .field("ends_on", common::date_text(schedule.ends_on))
      .field("from", common::clock_text(schedule.from))
      .field("starts_on", common::date_text(schedule.starts_on))
      .field("to", common::clock_text(schedule.to))
      .end_object();
  return out.take();
}

std::optional<Schedule> schedule_from_json(const nlohmann::json& value,
                                           std::vector<common::FieldError>& problems) {
  if (!value.is_object()) {
    problems.push_back({"schedule", "format",
                        "An object: {days, from, to, starts_on, ends_on}, in the property's "
                        "time zone."});
    return std::nullopt;
  }
  const auto before = problems.size();
  for (const auto& [key, item] : value.items()) {
    if (key != "days" && key != "from" && key != "to" && key != "starts_on" && key != "ends_on") {
      problems.push_back({"schedule." + key, "unknown_field", "Not a schedule field."});
    }
  }
  Schedule schedule;
  schedule.days = days_from(value, problems);
  const auto from =
      schedule_field(value, "from", "HH:MM, e.g. 09:00", common::parse_clock_time, problems);
  const auto to =
      schedule_field(value, "to", "HH:MM, e.g. 12:00", common::parse_clock_time, problems);
  const auto starts_on = schedule_field(value, "starts_on", "YYYY-MM-DD, e.g. 2027-03-01",
                                        common::parse_local_date, problems);
  const auto ends_on = schedule_field(value, "ends_on", "YYYY-MM-DD, e.g. 2027-06-01",
                                      common::parse_local_date, problems);
  if (problems.size() != before) return std::nullopt;
  schedule.from = *from;
  schedule.to = *to;
  schedule.starts_on = *starts_on;
  schedule.ends_on = *ends_on;
  return schedule;
}

// Keys in ascending order (the writer's rule, so that this text is what
// nlohmann would have written for the same object).
void write_json(http::JsonWriter& out, const Visitor& visitor) {
  out.begin_object()
      .field("access", visitor.access)
      .field("arrived_at", visitor.arrived_at)
      .field("created_at", visitor.created_at)
      .field("email", visitor.email)
      .field("ends_at", visitor.ends_at)
      .field("id", visitor.id)
      .field("kind", visitor.kind)
      .field("name", visitor.name)
      .key("pass")
      .begin_object();
  if (visitor.pass.failure_code) {
    out.field("failure_code", visitor.pass.failure_code)
        .field("failure_reason", visitor.pass.failure_reason);
  }
  out.field("first_used_at", visitor.pass.first_used_at)
      .field("last_used_at", visitor.pass.last_used_at)
      .key("max_uses")
      .number(visitor.pass.max_uses)
      .field("status", visitor.pass.status);
  if (visitor.pass.url) out.field("url", visitor.pass.url);
  out.key("uses").number(visitor.pass.uses);
  out.end_object().field("phone", visitor.phone).field("property_id", visitor.property_id);
  if (visitor.schedule) out.key("schedule").raw(schedule_json(*visitor.schedule));
  out.field("starts_at", visitor.starts_at).field("status", visitor.status).end_object();
}

nlohmann::json to_json(const Visitor& visitor) {
  http::JsonWriter out;
  write_json(out, visitor);
  return nlohmann::json::parse(out.text());
}

}  // namespace frontdoor::visitors
