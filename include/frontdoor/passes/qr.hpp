#pragma once

#include <string>
#include <string_view>

namespace frontdoor::passes {

// The QR code of `text` (libqrencode, error correction M) as a standalone SVG
// whose modules are whole units of the viewBox, with a four-module quiet zone.
std::string qr_svg(std::string_view text);

}  // namespace frontdoor::passes
