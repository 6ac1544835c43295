#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace frontdoor::common {

// base64url without padding (RFC 4648 section 5), as JWS and our cursors use it.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace frontdoor::common
