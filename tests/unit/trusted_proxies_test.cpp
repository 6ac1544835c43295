// Whose address a request comes from, behind load balancers.
#include "frontdoor/http/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace frontdoor::http {
namespace {

TEST(TrustedProxies, NobodyIsTrustedByDefault) {
  const TrustedProxies none;
  EXPECT_EQ(none.client_address("10.0.0.5", "198.51.100.7"), "10.0.0.5");
}

TEST(TrustedProxies, BlocksOfEitherFamilyMatchByPrefix) {
  const auto proxies = TrustedProxies::parse(" 10.0.0.0/8 , 192.168.1.10, fd00::/8");
  EXPECT_TRUE(proxies.trusts("10.200.3.4"));
  EXPECT_FALSE(proxies.trusts("11.0.0.1"));
  EXPECT_TRUE(proxies.trusts("192.168.1.10"));
  EXPECT_FALSE(proxies.trusts("192.168.1.11"));
  EXPECT_TRUE(proxies.trusts("fd12::1"));
  EXPECT_FALSE(proxies.trusts("fe80::1"));
  EXPECT_FALSE(proxies.trusts("not an address"));
  for (const char* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "example.com", "10.0.0.0/"}) {
    EXPECT_THROW(TrustedProxies::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(TrustedProxies, TheClientIsTheLastAddressNoTrustedProxyVouchesFor) {
  const auto proxies = TrustedProxies::parse("10.0.0.0/8");
  // A balancer at 10.0.0.2 appended the client it saw.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "198.51.100.7"), "198.51.100.7");
  // Two balancers in a row.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "198.51.100.7, 10.0.0.9"), "198.51.100.7");
  // A client that wrote its own header: only what the balancer appended counts.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "1.2.3.4, 198.51.100.7"), "198.51.100.7");
  // Garbage after the last good hop is not believed.
  EXPECT_EQ(proxies.client_address("10.0.0.2", "198.51.100.7, x"), "10.0.0.2");
  // An untrusted peer's header means nothing.
  EXPECT_EQ(proxies.client_address("203.0.113.1", "198.51.100.7"), "203.0.113.1");
  EXPECT_EQ(proxies.client_address("10.0.0.2", std::nullopt), "10.0.0.2");
}

}  // namespace
}  // namespace frontdoor::http
