#include "frontdoor/http/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace frontdoor::http {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::array<unsigned char, 16>> TrustedProxies::address_bytes(std::string_view text) {
  const std::string address(trimmed(text));
  std::array<unsigned char, 16> bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return bytes;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    return bytes;
  }
  return std::nullopt;
}

TrustedProxies TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto entry = trimmed(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto bytes = address_bytes(entry.substr(0, slash));
    if (!bytes) throw std::invalid_argument("not an address or CIDR block: " + std::string(entry));
    const bool v4 = entry.substr(0, slash).find(':') == std::string_view::npos;
    Block block{*bytes, 128};
    if (slash != std::string_view::npos) {
      const std::string prefix(entry.substr(slash + 1));
      std::size_t used = 0;
      int bits = -1;
      try {
        bits = std::stoi(prefix, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != prefix.size() || bits < 0 || bits > (v4 ? 32 : 128)) {
        throw std::invalid_argument("bad prefix length in " + std::string(entry));
      }
      block.prefix = v4 ? 96 + bits : bits;
    }
    proxies.blocks_.push_back(block);
  }
  return proxies;
}

bool TrustedProxies::trusts(std::string_view address) const {
  const auto bytes = address_bytes(address);
  if (!bytes) return false;
  for (const auto& block : blocks_) {
    int bits = block.prefix;
    bool inside = true;
    for (std::size_t i = 0; i < 16 && bits > 0 && inside; ++i, bits -= 8) {
      const unsigned mask = bits >= 8 ? 0xffU : (0xffU << (8 - bits)) & 0xffU;
      inside = ((*bytes)[i] & mask) == (block.bytes[i] & mask);
    }
    if (inside) return true;
  }
  return false;
}

std::string TrustedProxies::client_address(const std::string& peer,
                                           std::optional<std::string_view> forwarded_for) const {
  if (!forwarded_for || !trusts(peer)) return peer;
  std::string client = peer;
  std::string_view hops = *forwarded_for;
  // From the right: each hop a trusted proxy appended, until the first one no
  // trusted proxy vouches for.
  while (!hops.empty()) {
    const auto comma = hops.rfind(',');
    const auto hop = trimmed(comma == std::string_view::npos ? hops : hops.substr(comma + 1));
    hops = comma == std::string_view::npos ? std::string_view() : hops.substr(0, comma);
    if (!address_bytes(hop)) break;  // garbage: keep the last address we could vouch for
    client = std::string(hop);
    if (!trusts(hop)) break;
  }
  return client;
}

}  // namespace frontdoor::http
