#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The pure rules of integrator webhooks: how a delivery is signed, when a failed
// one is tried again, and which addresses a delivery may never reach.
namespace frontdoor::webhooks {

// The event types a subscription may name ("*" is all of them).
const std::vector<std::string>& event_types();

// `Frontdoor-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`: one v1 per secret,
// each HMAC-SHA256(secret, "<t>.<raw body>").
std::string signature_header(std::int64_t unix_seconds, std::string_view body,
                             const std::vector<std::string>& secrets);
std::string signature_v1(std::int64_t unix_seconds, std::string_view body, std::string_view secret);

// The published retry schedule: after the n-th failed attempt (n >= 1) the next
// one waits retry_delay(n). Deliveries are retried for kRetryWindow after their
// first attempt, then they fail.
std::chrono::seconds retry_delay(int failed_attempts);
inline constexpr std::chrono::hours kRetryWindow{24};
// When the next attempt is due after `failed_attempts` failures, or nullopt when
// the retry window is over and the delivery has failed.
std::optional<std::chrono::system_clock::time_point> next_attempt(
    std::chrono::system_clock::time_point first_attempt, std::chrono::system_clock::time_point now,
    int failed_attempts);

// True for addresses a delivery must not reach unless configuration allows it:
// loopback, private (RFC 1918, unique local), link-local, unspecified, carrier-
// grade NAT, multicast and broadcast, IPv4 embedded in IPv6 included. `address`
// is a numeric IPv4 or IPv6 address; anything else counts as internal.
bool is_internal_address(const std::string& address);

// A subscription's URL, taken apart: scheme, host (brackets removed from IPv6)
// and port. nullopt when it is not an absolute http(s) URL without credentials.
struct Target {
  std::string scheme;
  std::string host;
  std::uint16_t port = 0;
};
std::optional<Target> parse_target(std::string_view url);

}  // namespace frontdoor::webhooks
