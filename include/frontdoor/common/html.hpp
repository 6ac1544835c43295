#pragma once

#include <string>
#include <string_view>

namespace frontdoor::common {

// Text made safe to place in HTML content and quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace frontdoor::common
