#include "frontdoor/common/time.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace frontdoor::common {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

std::tm utc_fields(TimePoint time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}

}  // namespace

std::string to_rfc3339(TimePoint time) {
  const auto fields = utc_fields(std::chrono::floor<std::chrono::seconds>(time));
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &fields);
  return buffer;
}

std::string to_sql_timestamp(TimePoint time) {
  const auto whole = std::chrono::floor<std::chrono::seconds>(time);
  const auto fields = utc_fields(whole);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time - whole).count();
  char buffer[48];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &fields);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buffer, static_cast<long long>(micros));
  return out;
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !digits(text, 0, 4, year) || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::chrono::microseconds fraction{0};
  if (text[at] == '.') {
    ++at;
    long long value = 0;
    int count = 0;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
      if (count < 6) value = value * 10 + (text[at] - '0'), ++count;
      ++at;
    }
    if (count == 0) return std::nullopt;
    while (count++ < 6) value *= 10;
    fraction = std::chrono::microseconds(value);
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset_minutes = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int offset_hours, offset_mins;
    if (!digits(text, at + 1, 2, offset_hours) || !digits(text, at + 4, 2, offset_mins) ||
        offset_hours > 23 || offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = (offset_hours * 60 + offset_mins) * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  // The clock counts nanoseconds in 64 bits (1678 to 2262); the fuzzer found
  // that year 9999 overflowed it. No visit or token lives outside these years.
  if (year < 1970 || year > 2200) return std::nullopt;
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  const std::time_t seconds = timegm(&fields);
  // timegm normalises 31 February into March: refuse dates that do not exist.
  std::tm check{};
  gmtime_r(&seconds, &check);
  if (check.tm_mday != day || check.tm_mon != month - 1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds) - std::chrono::minutes(offset_minutes) +
         fraction;
}

}  // namespace frontdoor::common
