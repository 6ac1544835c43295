#pragma once

// Which peers may say who the client is. Behind a load balancer every request
// comes from the balancer's address, so per-address limits would count every
// client together; only a peer named here is believed when it passes the
// client's address on in X-Forwarded-For. By default nothing is trusted.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frontdoor::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8, 192.168.1.10, fd00::/8": addresses and CIDR blocks, IPv4 or
  // IPv6, separated by commas. Throws std::invalid_argument naming a bad entry.
  static TrustedProxies parse(std::string_view list);

  bool empty() const { return blocks_.empty(); }
  bool trusts(std::string_view address) const;
  // The client's address: the peer's own, unless the peer is trusted and says
  // otherwise in X-Forwarded-For, read from the right past every trusted hop (a
  // client can write anything to the left of what the proxies append).
  std::string client_address(const std::string& peer,
                             std::optional<std::string_view> forwarded_for) const;

 private:
  struct Block {
    std::array<unsigned char, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;
  };
  static std::optional<std::array<unsigned char, 16>> address_bytes(std::string_view text);
  std::vector<Block> blocks_;
};

}  // namespace frontdoor::http
