#include <gtest/gtest.h>

#include "frontdoor/auth/passwords.hpp"
#include "frontdoor/auth/policy.hpp"
#include "frontdoor/auth/tokens.hpp"
#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/time.hpp"

namespace frontdoor::auth {
namespace {

class FixedClock final : public common::Clock {
 public:
  common::TimePoint now() const override { return now_; }
  common::TimePoint now_ = common::TimePoint(std::chrono::seconds(1'800'000'000));
};

const SigningKey kOld{"k1", "old-secret-0123456789abcdef0123456789"};
const SigningKey kNew{"k2", "new-secret-0123456789abcdef0123456789"};

TEST(AccessTokens, KeysRotateByKeyId) {
  FixedClock clock;
  AccessTokens before({kOld}, clock);
  AccessTokens during({kNew, kOld}, clock);  // signs with k2, still accepts k1
  AccessTokens after({kNew}, clock);
  const auto old_token = before.issue("user-1", {{Role::manager, "p-1"}});
  ASSERT_TRUE(during.verify(old_token).has_value());
  EXPECT_EQ(during.verify(old_token)->roles.at(0).property_id, "p-1");
  EXPECT_FALSE(after.verify(old_token).has_value());
  EXPECT_TRUE(after.verify(during.issue("user-1", {})).has_value());
}

TEST(AccessTokens, RejectsTamperingExpiryAndAlgorithmSwaps) {
  FixedClock clock;
  AccessTokens tokens({kOld}, clock);
  const auto token = tokens.issue("user-1", {{Role::resident, "p-1"}});
  const auto first_dot = token.find('.');
  const auto second_dot = token.rfind('.');
  // Claim admin with the original signature.
  const auto forged_payload = common::base64url_encode(
      R"({"iss":"frontdoor","sub":"user-1","iat":0,"exp":9999999999,"roles":[{"role":"admin","property_id":null}]})");
  EXPECT_FALSE(
      tokens.verify(token.substr(0, first_dot + 1) + forged_payload + token.substr(second_dot))
          .has_value());
  const auto none_header = common::base64url_encode(R"({"alg":"none","kid":"k1"})");
  EXPECT_FALSE(tokens.verify(none_header + token.substr(first_dot, second_dot - first_dot) + ".")
                   .has_value());
  // Every other spelling of the same signature is refused too (no malleability).
  std::string respelled = token;
  auto& last = respelled.back();
  last = static_cast<char>(last ^ 1);
  EXPECT_FALSE(tokens.verify(respelled).has_value());
  EXPECT_FALSE(tokens.verify("").has_value());
  EXPECT_FALSE(tokens.verify("a.b").has_value());
  EXPECT_FALSE(tokens.verify(token + ".x").has_value());
  clock.now_ += std::chrono::minutes(15);
  EXPECT_FALSE(tokens.verify(token).has_value());
}

TEST(Base64Url, RoundTripsAndRejectsOtherAlphabets) {
  for (const std::string& text :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", std::string("\0\xff\xfe", 3)}) {
    EXPECT_EQ(common::base64url_decode(common::base64url_encode(text)), text);
  }
  EXPECT_FALSE(common::base64url_decode("ab+/").has_value());
  EXPECT_FALSE(common::base64url_decode("a").has_value());
  EXPECT_FALSE(common::base64url_decode("ab==").has_value());
  // "QR" and "QQ" both carry the byte 'A' in lax decoders; only "QQ" is canonical.
  EXPECT_EQ(common::base64url_decode("QQ"), "A");
  EXPECT_FALSE(common::base64url_decode("QR").has_value());
}

TEST(Passwords, HashesVerifyAndWeakOnesAreNamed) {
  const auto hash = hash_password("correct horse battery");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(hash, "correct horse battery"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery!"));
  EXPECT_TRUE(password_weakness("short", "a@b.co").has_value());
  EXPECT_TRUE(password_weakness("Password123", "a@b.co").has_value());
  EXPECT_TRUE(password_weakness("xx-maria.lopez-xx", "maria.lopez@example.com").has_value());
  EXPECT_TRUE(password_weakness(std::string(129, 'x'), "a@b.co").has_value());
  EXPECT_FALSE(password_weakness("correct horse battery", "maria@example.com").has_value());
}

TEST(Policy, OnlyTheRightRolesInTheRightProperty) {
  Principal manager{Principal::Kind::user, "u", "", "", {{Role::manager, "p"}}};
  Principal resident{Principal::Kind::user, "u", "", "", {{Role::resident, "p"}}};
  Principal panel{Principal::Kind::panel, "", "k", "p", {}};
  EXPECT_TRUE(Policy::allows(manager, Action::change_settings, "p"));
  EXPECT_FALSE(Policy::allows(manager, Action::change_settings, "q"));
  EXPECT_FALSE(Policy::allows(manager, Action::create_property, ""));
  EXPECT_TRUE(Policy::allows(resident, Action::view_settings, "p"));
  EXPECT_FALSE(Policy::allows(resident, Action::manage_residents, "p"));
  EXPECT_FALSE(Policy::allows(panel, Action::view_property, "p"));
  try {
    Policy::require(resident, Action::manage_residents, "q");
    ADD_FAILURE();
  } catch (const common::ApiError& error) {
    EXPECT_EQ(error.status(), 404);  // another property: not revealed
  }
  try {
    Policy::require(resident, Action::manage_residents, "p");
    ADD_FAILURE();
  } catch (const common::ApiError& error) {
    EXPECT_EQ(error.status(), 403);
  }
}

TEST(Time, ParsesRfc3339AndRefusesImpossibleDates) {
  const auto z = common::parse_rfc3339("2026-11-26T17:00:00Z");
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(common::to_rfc3339(*z), "2026-11-26T17:00:00Z");
  EXPECT_EQ(common::parse_rfc3339("2026-11-26T12:00:00-05:00"), z);
  EXPECT_EQ(common::to_rfc3339(*common::parse_rfc3339("2026-11-26T17:00:00.999Z")),
            "2026-11-26T17:00:00Z");
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-11-26 17:00:00Z", "2026-11-26T25:00:00Z",
                          "2026-11-26T17:00:00", "2026-11-26T17:00:00+5:00", "yesterday", "",
                          // Beyond what the clock can count (found by fuzz_json_fields).
                          "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    EXPECT_FALSE(common::parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(Contact, EmailsAndPhoneNumbers) {
  EXPECT_TRUE(common::is_email("ann.lee+x@example.co.uk"));
  for (const char* bad : {"ann", "@example.com", "ann@", "ann@example", "a b@example.com",
                          "ann@@example.com", "ann@example..com", "\"x\"@example.com"}) {
    EXPECT_FALSE(common::is_email(bad)) << bad;
  }
  EXPECT_EQ(common::normalize_email("Ann@Example.COM"), "ann@example.com");
  EXPECT_TRUE(common::is_e164("+15551234567"));
  for (const char* bad : {"15551234567", "+0555123456", "+1555", "+1555123456789012", "+1 555"}) {
    EXPECT_FALSE(common::is_e164(bad)) << bad;
  }
}

}  // namespace
}  // namespace frontdoor::auth
