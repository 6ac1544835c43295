#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace frontdoor::common {

// base64url without padding (RFC 4648 section 5), as JWS and our cursors use it.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
// Standard base64 with padding (RFC 4648 section 4), as HTTP Basic auth uses it.
std::string base64_encode(std::string_view bytes);

}  // namespace frontdoor::common
