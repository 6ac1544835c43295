#include "target_check.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <memory>

namespace frontdoor::webhooks {
namespace {

std::vector<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return {};
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, &freeaddrinfo);
  std::vector<std::string> addresses;
  for (const addrinfo* item = found; item != nullptr; item = item->ai_next) {
    if (item->ai_family != AF_INET && item->ai_family != AF_INET6) continue;
    const void* raw = nullptr;
    if (item->ai_family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(item->ai_addr)->sin_addr;
    } else {
      raw = &reinterpret_cast<const sockaddr_in6*>(item->ai_addr)->sin6_addr;
    }
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(item->ai_family, raw, text, sizeof text) == nullptr) continue;
    std::string address(text);
    bool seen = false;
    for (const auto& known : addresses) seen = seen || known == address;
    if (!seen) addresses.push_back(std::move(address));
  }
  return addresses;
}

}  // namespace

std::optional<CheckedTarget> check_target(const std::string& url, const Options& options) {
  auto target = parse_target(url);
  if (!target) return std::nullopt;
  CheckedTarget checked{*target, resolve(target->host), {}};
  if (target->scheme != "https" && !options.allow_http) {
    checked.refusal = "the URL must use https";
    return checked;
  }
  if (options.allow_internal_addresses) return checked;
  // Every address the name has must be public: a name with one public and one
  // private address could otherwise be steered to the private one.
  for (const auto& address : checked.addresses) {
    if (is_internal_address(address)) {
      checked.refusal =
          target->host + " resolves to " + address + ", a loopback, private or link-local address";
      return checked;
    }
  }
  return checked;
}

}  // namespace frontdoor::webhooks
