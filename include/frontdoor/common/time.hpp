#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "frontdoor/common/clock.hpp"

namespace frontdoor::common {

// "2026-11-26T17:00:00Z" (UTC, whole seconds): the API's timestamp form.
std::string to_rfc3339(TimePoint time);
// Microsecond precision, for passing "now" from the injected Clock to SQL.
std::string to_sql_timestamp(TimePoint time);
// RFC 3339 with 'Z' or a numeric offset, optional fraction; nullopt otherwise.
std::optional<TimePoint> parse_rfc3339(std::string_view text);
// A timestamptz as Postgres writes it ("2026-12-07 18:24:09.242993+00", any
// offset), or RFC 3339; nothing otherwise. The row reader's one parser.
std::optional<TimePoint> parse_sql_timestamp(std::string_view text);

}  // namespace frontdoor::common
