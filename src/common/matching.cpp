#include "frontdoor/common/matching.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <stdexcept>

namespace frontdoor::common {
namespace {

const icu::Normalizer2& normalizer(const icu::Normalizer2* (*get)(UErrorCode&)) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* found = get(status);
  if (U_FAILURE(status) || found == nullptr) {
    throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
  }
  return *found;
}

const icu::Normalizer2* nfkc_casefold(UErrorCode& status) {
  return icu::Normalizer2::getNFKCCasefoldInstance(status);
}
const icu::Normalizer2* nfd(UErrorCode& status) { return icu::Normalizer2::getNFDInstance(status); }

}  // namespace

std::optional<std::string> name_match_key(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  // NFKC_Casefold also drops default-ignorable characters (zero-width spaces,
  // joiners, soft hyphens); NFD then separates accents from their letters.
  const auto folded =
      normalizer(nfkc_casefold).normalize(icu::UnicodeString::fromUTF8(name), status);
  const auto decomposed = normalizer(nfd).normalize(folded, status);
  if (U_FAILURE(status)) return std::nullopt;
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    // Letters and digits only: spaces of every width, punctuation, marks and
    // any format character left are all gone.
    if (u_isalnum(c)) kept.append(c);
  }
  if (kept.isEmpty()) return std::nullopt;
  std::string key;
  kept.toUTF8String(key);
  return key;
}

std::string email_match_key(const std::string& email) {
  std::string lower;
  for (char c : email)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const auto at = lower.rfind('@');
  if (at == std::string::npos) return lower;
  std::string local = lower.substr(0, at), domain = lower.substr(at + 1);
  if (const auto plus = local.find('+'); plus != std::string::npos) local.resize(plus);
  if (domain == "gmail.com" || domain == "googlemail.com") {
    std::erase(local, '.');
    domain = "gmail.com";
  }
  return local + "@" + domain;
}

}  // namespace frontdoor::common
