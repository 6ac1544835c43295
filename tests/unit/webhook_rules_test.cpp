// The pure rules of integrator webhooks: the signature, the published retry
// schedule, which addresses are internal, and which URLs are targets at all.
#include <gtest/gtest.h>

#include "frontdoor/common/random.hpp"
#include "frontdoor/webhooks/rules.hpp"

namespace frontdoor::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(WebhookRules, TheSignatureIsHmacSha256OverTimestampDotBody) {
  // RFC 4231, test case 2.
  EXPECT_EQ(common::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(signature_v1(1700000000, R"({"id":"e"})", "whsec_a"),
            common::hmac_sha256_hex("whsec_a", R"(1700000000.{"id":"e"})"));
  EXPECT_NE(signature_v1(1700000000, R"({"id":"e"})", "whsec_a"),
            signature_v1(1700000001, R"({"id":"e"})", "whsec_a"));
  EXPECT_EQ(signature_header(17, "b", {"k1", "k2"}),
            "t=17,v1=" + signature_v1(17, "b", "k1") + ",v1=" + signature_v1(17, "b", "k2"));
  EXPECT_EQ(signature_header(17, "b", {"k1"}), "t=17,v1=" + signature_v1(17, "b", "k1"));
}

TEST(WebhookRules, RetriesFollowThePublishedScheduleForADay) {
  const std::vector<seconds> published = {seconds(30), minutes(2), minutes(10),
                                          minutes(30), hours(1),   hours(2),
                                          hours(4),    hours(8),   hours(8)};
  for (std::size_t i = 0; i < published.size(); ++i) {
    EXPECT_EQ(retry_delay(static_cast<int>(i) + 1), published[i]) << "after failure " << i + 1;
  }
  EXPECT_EQ(retry_delay(30), hours(8));

  // A receiver that is down all day: every retry on time, then failed for good.
  const std::chrono::system_clock::time_point first{hours(1000)};
  auto now = first;
  int attempts = 1;
  while (auto next = next_attempt(first, now, attempts)) {
    EXPECT_EQ(*next - now, retry_delay(attempts));
    now = *next;
    ++attempts;
  }
  EXPECT_EQ(attempts, 10);
  EXPECT_LE(now - first, kRetryWindow);
  EXPECT_GT(now + retry_delay(attempts) - first, kRetryWindow);
}

TEST(WebhookRules, InternalAddressesAreRecognisedInEveryForm) {
  for (const char* internal : {"127.0.0.1",
                               "127.255.0.9",
                               "10.0.0.1",
                               "172.16.5.4",
                               "172.31.255.255",
                               "192.168.1.1",
                               "169.254.169.254",
                               "100.64.0.1",
                               "0.0.0.0",
                               "224.0.0.1",
                               "255.255.255.255",
                               "::1",
                               "::",
                               "fe80::1",
                               "fc00::1",
                               "fd12:3456::1",
                               "ff02::1",
                               "::ffff:127.0.0.1",
                               "::ffff:10.0.0.1",
                               "64:ff9b::a9fe:a9fe",
                               "2002:7f00:1::",
                               "not-an-address",
                               ""}) {
    EXPECT_TRUE(is_internal_address(internal)) << internal;
  }
  for (const char* external : {"8.8.8.8", "203.0.113.10", "172.32.0.1", "100.128.0.1",
                               "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"}) {
    EXPECT_FALSE(is_internal_address(external)) << external;
  }
}

TEST(WebhookRules, OnlyAbsoluteHttpUrlsWithoutCredentialsAreTargets) {
  auto https = parse_target("https://hooks.example.com/frontdoor?x=1");
  ASSERT_TRUE(https);
  EXPECT_EQ(https->scheme, "https");
  EXPECT_EQ(https->host, "hooks.example.com");
  EXPECT_EQ(https->port, 443);
  auto v6 = parse_target("http://[::1]:8080/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  for (const char* refused :
       {"", "hooks.example.com/x", "/relative", "ftp://hooks.example.com/", "file:///etc/passwd",
        "https://user:pw@hooks.example.com/", "https://user@hooks.example.com/", "https:///x",
        "https://hooks.example.com:0/", "https://hooks example.com/", "javascript:alert(1)"}) {
    EXPECT_FALSE(parse_target(refused)) << refused;
  }
}

}  // namespace
}  // namespace frontdoor::webhooks
