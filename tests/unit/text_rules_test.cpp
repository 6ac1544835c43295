// The rules for text people type and for text that goes into headers, and the
// choice of the property a resident acts at: pure functions, no server.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/text.hpp"

namespace frontdoor {
namespace {

using common::TextKind;

TEST(TextRules, SingleLineTextRefusesEveryControlCharacter) {
  for (const std::string& text :
       std::vector<std::string>{"a\nb", "a\rb", "a\tb", std::string("a\0b", 3), "a\x7f", "a\u0085b",
                                "a\u009fb", "a\u2028b", "a\u2029b", "\x1b[31m"}) {
    EXPECT_TRUE(common::has_forbidden_characters(text, TextKind::single_line)) << text;
  }
  for (const std::string text : {"Zoë", "O'Brien-Smith", "李小龍", "Ñúñez 😀", "a\u00a0b"}) {
    EXPECT_FALSE(common::has_forbidden_characters(text, TextKind::single_line)) << text;
  }
}

TEST(TextRules, MultiLineTextAllowsLineBreaksOnlyAndSecretsAnythingButNul) {
  EXPECT_FALSE(common::has_forbidden_characters("one\r\ntwo\tthree\u2028", TextKind::multi_line));
  EXPECT_TRUE(common::has_forbidden_characters("bell\x07", TextKind::multi_line));
  EXPECT_FALSE(common::has_forbidden_characters("p\x07ss\nw\x1b", TextKind::secret));
  EXPECT_TRUE(common::has_forbidden_characters(std::string("p\0w", 3), TextKind::secret));
}

TEST(TextRules, OneLineReplacesEveryBreakWithASpace) {
  EXPECT_EQ(common::one_line("a\r\nBcc: x"), "a  Bcc: x");
  EXPECT_EQ(common::one_line("a\u2028b\u0085c"), "a b c");
  EXPECT_EQ(common::one_line("Zoë"), "Zoë");
}

TEST(TextRules, HeaderValuesAreOneLineAndEncodedWhenNotAscii) {
  EXPECT_EQ(common::mime_header_value("Plain\r\nBcc: x@y.z"), "Plain  Bcc: x@y.z");
  EXPECT_EQ(common::mime_header_value("Chloé"), "=?UTF-8?B?Q2hsb8Op?=");
  // A long value is folded into several encoded words, never splitting a character,
  // and nothing but a folding white space follows a line break.
  const std::string long_name(40, 'a');
  const auto folded = common::mime_header_value(long_name + "é" + long_name);
  for (std::size_t at = folded.find("\r\n"); at != std::string::npos;
       at = folded.find("\r\n", at + 2)) {
    EXPECT_EQ(folded[at + 2], ' ') << folded;
  }
  EXPECT_EQ(folded.find("\n", 0) != std::string::npos, true);
  EXPECT_EQ(folded.rfind("=?UTF-8?B?", 0), 0u);
}

TEST(TextRules, PushTokensHaveTheirProvidersShape) {
  EXPECT_TRUE(common::is_apns_token(std::string(64, 'a')));
  EXPECT_TRUE(common::is_apns_token(std::string(100, 'F')));
  EXPECT_FALSE(common::is_apns_token(std::string(63, 'a')));
  EXPECT_FALSE(common::is_apns_token(std::string(62, 'a') + "/x"));
  EXPECT_FALSE(common::is_apns_token(std::string(202, 'a')));
  EXPECT_TRUE(common::is_fcm_token("dGVzdA:APA91b-abc_def.ghi"));
  EXPECT_FALSE(common::is_fcm_token("short"));
  EXPECT_FALSE(common::is_fcm_token("has space in it"));
  EXPECT_FALSE(common::is_fcm_token("../../etc/passwd"));
}

auth::Principal living_at(std::vector<std::string> homes) {
  auth::Principal principal;
  principal.kind = auth::Principal::Kind::user;
  principal.user_id = "u";
  for (auto& home : homes) principal.roles.push_back({auth::Role::resident, home});
  principal.roles.push_back({auth::Role::staff, "office"});
  return principal;
}

int status_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const common::ApiError& error) {
    return error.status();
  }
  return 200;
}

TEST(ResidentProperty, TheNamedHomeOrTheOnlyOne) {
  EXPECT_EQ(auth::Policy::resident_property(living_at({"a"}), std::nullopt), "a");
  EXPECT_EQ(auth::Policy::resident_property(living_at({"a", "b"}), std::string("b")), "b");
  // Several homes and none named: the caller must say which.
  try {
    auth::Policy::resident_property(living_at({"a", "b"}), std::nullopt);
    FAIL() << "no property_required";
  } catch (const common::ApiError& error) {
    EXPECT_EQ(error.status(), 422);
    EXPECT_EQ(error.code(), "property_required");
  }
  // Not a home (a place they only work at, or nowhere): 403.
  EXPECT_EQ(
      status_of([] { auth::Policy::resident_property(living_at({"a"}), std::string("office")); }),
      403);
  EXPECT_EQ(status_of([] { auth::Policy::resident_property(living_at({}), std::nullopt); }), 403);
  EXPECT_EQ(status_of([] { auth::Policy::resident_property(auth::Principal{}, std::nullopt); }),
            401);
}

}  // namespace
}  // namespace frontdoor
