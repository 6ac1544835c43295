#pragma once

#include <string>
#include <string_view>

namespace frontdoor::common {

// What people may type into a field. Text that reaches an e-mail header, an SMS
// or a push must not carry a line break or any other control character.
enum class TextKind {
  single_line,  // names, labels, reasons: no control characters at all
  multi_line,   // notes: line breaks and tabs, nothing else
  secret,       // passwords: anything but NUL (never shown, never sent on)
};

// True when `text` (UTF-8) holds a character that `kind` refuses: C0 controls,
// DEL, C1 controls (U+0080 to U+009F) and the Unicode line and paragraph
// separators (U+2028, U+2029); multi_line allows CR, LF and tab among them.
bool has_forbidden_characters(std::string_view text, TextKind kind);

// The text with every control character, line break and separator replaced by a
// space: what an SMS, a push title or a header value is built from.
std::string one_line(std::string_view text);

// An e-mail header value (RFC 5322) that cannot end the header: one_line(), and
// RFC 2047 encoded-words when it is not plain ASCII, so "José" is not sent raw.
std::string mime_header_value(std::string_view text);

}  // namespace frontdoor::common
