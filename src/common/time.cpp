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

namespace {

// The numeric offset at `at` to the end: ±HH:MM for the API; Postgres also
// writes ±HH and ±HH:MM:SS. Nothing when it is not one.
std::optional<int> offset_seconds(std::string_view text, std::size_t at, bool postgres) {
  if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return std::nullopt;
  const int sign = text[at] == '-' ? -1 : 1;
  const auto rest = text.size() - at;
  int hours = 0, minutes = 0, seconds = 0;
  if (!digits(text, at + 1, 2, hours) || hours > 23) return std::nullopt;
  if (rest == 3 && postgres) return sign * hours * 3600;
  if (rest != 6 && !(postgres && rest == 9)) return std::nullopt;
  if (text[at + 3] != ':' || !digits(text, at + 4, 2, minutes) || minutes > 59) {
    return std::nullopt;
  }
  if (rest == 9 && (text[at + 6] != ':' || !digits(text, at + 7, 2, seconds) || seconds > 59)) {
    return std::nullopt;
  }
  return sign * (hours * 3600 + minutes * 60 + seconds);
}

// RFC 3339 as the API takes it, or (`postgres`) also the text form Postgres
// writes a timestamptz in: a space for the T and a shorter or longer offset.
std::optional<TimePoint> parse_time(std::string_view text, bool postgres) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !digits(text, 0, 4, year) || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && !(postgres && text[10] == ' ')) ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
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
  int offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset = 0;
  } else if (const auto numeric = offset_seconds(text, at, postgres)) {
    offset = *numeric;
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
  return std::chrono::system_clock::from_time_t(seconds) - std::chrono::seconds(offset) + fraction;
}

}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) { return parse_time(text, false); }

std::optional<TimePoint> parse_sql_timestamp(std::string_view text) {
  return parse_time(text, true);
}

}  // namespace frontdoor::common
