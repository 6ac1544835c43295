#pragma once

// Keys under which two spellings of the same person compare equal, for the deny
// list: what someone evading it would change must not change the key.
#include <optional>
#include <string>

namespace frontdoor::common {

// A name with Unicode compatibility forms folded (NFKC with case folding, so
// full-width letters, ligatures and "ß" compare as their plain forms), format
// characters such as zero-width spaces dropped, accents removed, and only
// letters and digits kept: "Ana García", "ANA\u00a0GARCIA.", "Ana\u200bGarcia"
// and "AnaGarcia" all give "anagarcia". Nothing when no letter or digit is left.
// ICU does the Unicode work (its tables, never a hand-made list).
std::optional<std::string> name_match_key(const std::string& name);

// An e-mail address as the mailbox that receives it: lower case, without a
// "+tag" in the local part (most providers deliver user+tag to user), and
// for Gmail (gmail.com, googlemail.com) without dots in the local part.
std::string email_match_key(const std::string& email);

}  // namespace frontdoor::common
