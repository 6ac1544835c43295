#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "frontdoor/http/message.hpp"

namespace frontdoor::http {

bool is_uuid(std::string_view text);
// Ids compare as Postgres prints them: in lower case.
std::string lower_case(std::string_view text);

// A path parameter that must be a UUID. Anything else is 404: no such resource,
// and no SQL ever sees a malformed id.
std::string uuid_param(const Request& request, std::string_view name);

// An optional query parameter that must be a UUID when present: 422 naming it otherwise.
std::optional<std::string> uuid_query(const Request& request, std::string_view name);

}  // namespace frontdoor::http
