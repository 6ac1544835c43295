#include "frontdoor/passes/qr.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace frontdoor::passes {

std::string qr_svg(std::string_view text) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) throw std::runtime_error("QR encoding failed");
  constexpr int kQuiet = 4;
  const int size = code->width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      // Bit 0 of each module byte: dark.
      if (code->data[y * code->width + x] & 1) {
        path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
      }
    }
  }
  const auto side = std::to_string(size);
  // Eight pixels a module where the size is not set by the page (zbarimg, a viewer).
  const auto pixels = std::to_string(size * 8);
  std::string svg = R"(<svg xmlns="http://www.w3.org/2000/svg" width=")";
  svg += pixels + R"(" height=")" + pixels + R"(" viewBox="0 0 )" + side + " " + side;
  svg += R"(" shape-rendering="crispEdges" role="img" aria-label="QR code">)";
  svg += R"(<rect width=")" + side + R"(" height=")" + side + R"(" fill="#fff"/>)";
  svg += R"(<path fill="#000" d=")" + path + R"("/></svg>)";
  return svg;
}

}  // namespace frontdoor::passes
