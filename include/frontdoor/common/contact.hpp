#pragma once

#include <string>
#include <string_view>

namespace frontdoor::common {

// A deliberately plain e-mail check: one '@', a dotted domain, no spaces or
// control characters, at most 254 characters. Returns the address in lower case.
bool is_email(std::string_view text);
std::string normalize_email(std::string_view text);

// E.164: '+', a non-zero digit, 7 to 15 digits in all.
bool is_e164(std::string_view text);
// A phone as people write it ("+1 (555) 000-1111") in E.164 ("+15550001111"):
// spaces, dashes, dots and parentheses dropped; empty when the rest is not E.164.
std::string normalize_phone(std::string_view text);

// Push tokens as the providers issue them. An APNs device (or VoIP) token is
// hex, 64 characters today (32 bytes) and up to 200 should Apple lengthen it; it
// becomes part of the APNs URL, so nothing else may pass. An FCM registration
// token is 8 to 4096 characters of letters, digits and "-_:.".
bool is_apns_token(std::string_view text);
bool is_fcm_token(std::string_view text);

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF)
// and no control characters: what a search box may send to the database.
bool is_search_text(std::string_view text);

}  // namespace frontdoor::common
