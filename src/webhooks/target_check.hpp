#pragma once

// Where a delivery may go: a subscription's URL checked against the scheme and
// address rules, with the addresses it resolved to, so that the request is
// pinned to exactly the addresses that were checked.
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/webhooks/rules.hpp"
#include "frontdoor/webhooks/service.hpp"

namespace frontdoor::webhooks {

struct CheckedTarget {
  Target target;
  std::vector<std::string> addresses;  // numeric; empty when the host did not resolve
  std::string refusal;                 // why it may not be reached; empty when it may
  bool resolved() const { return !addresses.empty(); }
};

// Resolves the host now (a literal address "resolves" to itself). nullopt when
// the URL is not an absolute http(s) URL.
std::optional<CheckedTarget> check_target(const std::string& url, const Options& options);

}  // namespace frontdoor::webhooks
