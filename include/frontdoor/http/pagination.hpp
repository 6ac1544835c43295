#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/keyset.hpp"
#include "frontdoor/http/json_writer.hpp"
#include "frontdoor/http/message.hpp"

namespace frontdoor::http {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

struct PageRequest {
  int limit = kDefaultPageSize;
  std::optional<nlohmann::json> after;  // the decoded cursor: where the last page ended
};

// ?limit= (1-100, default 20) and ?cursor=; 422 naming the field when either is bad.
PageRequest page_request(const Request& request);

// What each component of a keyset cursor must be.
enum class CursorPart {
  text,     // a sort key such as a name: a string of at most 256 bytes, no control characters
  uuid,     // a row id
  time,     // an RFC 3339 timestamp
  integer,  // a sequence number
};

// The components of the request's cursor, checked one by one against `parts`:
// nullopt without a cursor, 422 naming `cursor` when any component is not what
// the list wrote into it (a forged or foreign cursor never reaches the database).
// Integers come back in decimal.
std::optional<std::vector<std::string>> cursor_parts(const PageRequest& page,
                                                     const std::vector<CursorPart>& parts);

// A cursor of [created_at, id] (newest-first lists): both, or 422 naming `cursor`.
using common::TimeAndId;
std::optional<TimeAndId> time_and_id_after(const PageRequest& page);
// ?limit= and ?cursor= of a newest-first list, as the service takes them.
common::PageQuery<TimeAndId> newest_first_query(const Request& request);
// The cursor a newest-first page hands out for the next one.
std::optional<nlohmann::json> next_position(const std::optional<TimeAndId>& next);

// Cursors are opaque to clients: base64url of a small JSON value.
std::string encode_cursor(const nlohmann::json& position);

// {"data": items, "next_cursor": cursor or null}
Response page_response(nlohmann::json items, const std::optional<nlohmann::json>& next_position);
// The same, from items a JsonWriter already wrote as a JSON array.
Response page_response(const JsonWriter& items, const std::optional<nlohmann::json>& next_position);

}  // namespace frontdoor::http
