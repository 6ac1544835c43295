#include "frontdoor/common/text.hpp"

#include "frontdoor/common/base64.hpp"

namespace frontdoor::common {
namespace {

// The length in bytes of a character that one_line() and the checks refuse at
// text[i], or 0 when the character there is fine.
std::size_t control_at(std::string_view text, std::size_t i, bool allow_line_breaks) {
  const auto byte = static_cast<unsigned char>(text[i]);
  if (byte < 0x20) {
    const bool line_break = byte == '\n' || byte == '\r' || byte == '\t';
    return line_break && allow_line_breaks ? 0 : 1;
  }
  if (byte == 0x7f) return 1;
  const auto next = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  // C1 controls: U+0080 to U+009F are C2 80 to C2 9F.
  if (byte == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) return 2;
  // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: E2 80 A8 and E2 80 A9.
  if (byte == 0xE2 && next(1) == 0x80 && (next(2) == 0xA8 || next(2) == 0xA9)) {
    return allow_line_breaks ? 0 : 3;
  }
  return 0;
}

bool is_ascii(std::string_view text) {
  for (const unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool has_forbidden_characters(std::string_view text, TextKind kind) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (kind == TextKind::secret) {
      if (text[i] == '\0') return true;
      continue;
    }
    if (control_at(text, i, kind == TextKind::multi_line) > 0) return true;
  }
  return false;
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (const auto length = control_at(text, i, false); length > 0) {
      out.push_back(' ');
      i += length;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::string mime_header_value(std::string_view text) {
  auto line = one_line(text);
  if (is_ascii(line)) return line;
  // Encoded-words of at most 75 characters, each holding whole UTF-8 characters
  // (RFC 2047 5 and 6.3): 45 bytes of text become 60 of base64 plus 12 of framing.
  constexpr std::size_t kBytesPerWord = 45;
  std::string out;
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t end = std::min(line.size(), start + kBytesPerWord);
    while (end < line.size() && end > start &&
           (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";  // folded: a continuation line, never a new header
    out += "=?UTF-8?B?" + base64_encode(std::string_view(line).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

}  // namespace frontdoor::common
