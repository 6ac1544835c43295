#include "frontdoor/common/contact.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace frontdoor::common {

bool is_email(std::string_view text) {
  if (text.size() < 3 || text.size() > 254) return false;
  const auto at = text.find('@');
  if (at == 0 || at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const auto domain = text.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != '<' && c != '>' && c != '\\' &&
           c != '(' && c != ')' && c != ';' && c != ':' && c != '[' && c != ']';
  });
}

std::string normalize_email(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool is_e164(std::string_view text) {
  if (text.size() < 8 || text.size() > 16 || text[0] != '+' || text[1] < '1' || text[1] > '9') {
    return false;
  }
  return std::all_of(text.begin() + 1, text.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::string normalize_phone(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') digits += c;
  }
  return is_e164(digits) ? digits : std::string();
}

bool is_apns_token(std::string_view text) {
  if (text.size() < 64 || text.size() > 200 || text.size() % 2 != 0) return false;
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isxdigit(c) != 0; });
}

bool is_fcm_token(std::string_view text) {
  if (text.size() < 8 || text.size() > 4096) return false;
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == ':' || c == '.';
  });
}

bool is_search_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return false;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    int length = 0;
    std::uint32_t point = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      point = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      point = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      point = (point << 6) | (next & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < smallest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace frontdoor::common
