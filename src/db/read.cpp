#include "frontdoor/db/read.hpp"

#include <charconv>

namespace frontdoor::db {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  if (at + count > text.size()) return false;
  const auto* begin = text.data() + at;
  const auto [end, error] = std::from_chars(begin, begin + count, value);
  return error == std::errc() && end == begin + count;
}

}  // namespace

std::optional<common::TimePoint> parse_timestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::chrono::microseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    ++at;
    long long value = 0;
    int places = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (places < 6) {
        value = value * 10 + (text[at] - '0');
        ++places;
      }
      ++at;
    }
    for (; places < 6; ++places) value *= 10;
    fraction = std::chrono::microseconds(value);
  }
  // The offset: +HH, +HH:MM or +HH:MM:SS (Postgres writes the session's zone), or Z.
  std::chrono::seconds offset{0};
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    int hours = 0, minutes = 0, seconds = 0;
    if (!digits(text, at + 1, 2, hours)) return std::nullopt;
    at += 3;
    if (at < text.size() && text[at] == ':') {
      if (!digits(text, at + 1, 2, minutes)) return std::nullopt;
      at += 3;
      if (at < text.size() && text[at] == ':') {
        if (!digits(text, at + 1, 2, seconds)) return std::nullopt;
        at += 3;
      }
    }
    offset = sign * (std::chrono::hours(hours) + std::chrono::minutes(minutes) +
                     std::chrono::seconds(seconds));
  } else if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  }
  if (at != text.size()) return std::nullopt;
  const auto date = std::chrono::year_month_day(std::chrono::year(year),
                                                std::chrono::month(static_cast<unsigned>(month)),
                                                std::chrono::day(static_cast<unsigned>(day)));
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return common::TimePoint(std::chrono::sys_days(date).time_since_epoch() +
                           std::chrono::hours(hour) + std::chrono::minutes(minute) +
                           std::chrono::seconds(second) + fraction - offset);
}

namespace detail {

void unreadable(std::string_view column, std::string_view value, std::string_view wanted) {
  throw std::logic_error("column " + std::string(column) + " holds '" + std::string(value) +
                         "', not " + std::string(wanted));
}

int column_index(const pqxx::result& result, std::string_view name) {
  for (pqxx::row::size_type i = 0; i < result.columns(); ++i) {
    if (result.column_name(i) == name) return static_cast<int>(i);
  }
  throw std::logic_error("the statement's result has no column named " + std::string(name));
}

int column_index(const Rows& rows, std::string_view name) {
  const int found = rows.column_number(name);
  if (found < 0) {
    throw std::logic_error("the statement's result has no column named " + std::string(name));
  }
  return found;
}

}  // namespace detail

}  // namespace frontdoor::db
