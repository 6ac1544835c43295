#include "frontdoor/webhooks/rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstring>

#include "frontdoor/common/random.hpp"

namespace frontdoor::webhooks {
namespace {

// Delays after the 1st, 2nd, ... failed attempt; the last one repeats until the
// retry window closes. The README publishes this table.
constexpr std::array<std::chrono::seconds, 9> kSchedule = {
    std::chrono::seconds(30), std::chrono::minutes(2), std::chrono::minutes(10),
    std::chrono::minutes(30), std::chrono::hours(1),   std::chrono::hours(2),
    std::chrono::hours(4),    std::chrono::hours(8),   std::chrono::hours(8)};

bool in_v4(std::uint32_t address, std::uint32_t network, int prefix) {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

bool internal_v4(std::uint32_t a) {
  return in_v4(a, 0x00000000, 8) ||   // "this" network, 0.0.0.0
         in_v4(a, 0x0a000000, 8) ||   // 10/8
         in_v4(a, 0x64400000, 10) ||  // 100.64/10, carrier-grade NAT
         in_v4(a, 0x7f000000, 8) ||   // loopback
         in_v4(a, 0xa9fe0000, 16) ||  // link-local, cloud metadata
         in_v4(a, 0xac100000, 12) ||  // 172.16/12
         in_v4(a, 0xc0000000, 24) ||  // IETF protocol assignments
         in_v4(a, 0xc0a80000, 16) ||  // 192.168/16
         in_v4(a, 0xc6120000, 15) ||  // benchmarking
         in_v4(a, 0xe0000000, 4) ||   // multicast
         in_v4(a, 0xf0000000, 4);     // reserved and broadcast
}

bool internal_v6(const unsigned char* b) {
  static constexpr unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // ::, ::1
  const auto embedded_v4 = [&](int at) {
    return internal_v4(std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
                       std::uint32_t{b[at + 2]} << 8 | b[at + 3]);
  };
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64).
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kZero, 12) == 0 ||
      std::memcmp(b, kNat64, 12) == 0) {
    return embedded_v4(12);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                   // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;   // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;   // fec0::/10 old site-local
  if (b[0] == 0xff) return true;                            // multicast
  if (b[0] == 0x20 && b[1] == 0x02) return embedded_v4(2);  // 6to4
  return false;
}

}  // namespace

const std::vector<std::string>& event_types() {
  static const std::vector<std::string> kTypes = {
      "visitor.created",    "visitor.revoked", "pass.issued", "pass.failed",
      "visitor.arrived",    "door.opened",     "call.missed", "resident.moved_in",
      "resident.moved_out", "settings.changed"};
  return kTypes;
}

std::string signature_v1(std::int64_t unix_seconds, std::string_view body,
                         std::string_view secret) {
  std::string signed_text = std::to_string(unix_seconds);
  signed_text += '.';
  signed_text += body;
  return common::hmac_sha256_hex(secret, signed_text);
}

std::string signature_header(std::int64_t unix_seconds, std::string_view body,
                             const std::vector<std::string>& secrets) {
  std::string header = "t=" + std::to_string(unix_seconds);
  for (const auto& secret : secrets) header += ",v1=" + signature_v1(unix_seconds, body, secret);
  return header;
}

std::chrono::seconds retry_delay(int failed_attempts) {
  const auto index = static_cast<std::size_t>(std::clamp(failed_attempts, 1, 9) - 1);
  return kSchedule[index];
}

std::optional<std::chrono::system_clock::time_point> next_attempt(
    std::chrono::system_clock::time_point first_attempt, std::chrono::system_clock::time_point now,
    int failed_attempts) {
  const auto due = now + retry_delay(failed_attempts);
  if (due > first_attempt + kRetryWindow) return std::nullopt;
  return due;
}

bool is_internal_address(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return internal_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) return internal_v6(v6.s6_addr);
  return true;
}

std::optional<Target> parse_target(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return std::nullopt;
  const auto& view = *parsed;
  Target target;
  target.scheme = view.scheme();
  if (target.scheme != "https" && target.scheme != "http") return std::nullopt;
  if (view.has_userinfo() || view.host().empty()) return std::nullopt;
  target.host = view.host_address();
  if (view.has_port()) {
    if (view.port_number() == 0) return std::nullopt;
    target.port = view.port_number();
  } else {
    target.port = target.scheme == "https" ? 443 : 80;
  }
  return target;
}

}  // namespace frontdoor::webhooks
