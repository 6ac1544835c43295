#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/http/message.hpp"

namespace frontdoor::http {

// One outbound HTTP call (libcurl underneath). Used for BMX, the message
// providers and the sandbox's webhook deliveries.
struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{10000};
  std::size_t max_response_bytes = 4 << 20;
  // "host:port:address[,address]" entries: connect to exactly these addresses for
  // that name instead of looking it up (webhooks pin the addresses they checked).
  std::vector<std::string> resolve;
};

struct OutboundResponse {
  // Why no HTTP answer arrived; `none` when one did (whatever its status).
  enum class Failure { none, timeout, connect, network };
  Failure failure = Failure::none;
  int status = 0;
  Headers headers;  // names in lower case
  std::string body;
  std::string error;  // libcurl's description when failure != none

  bool ok() const { return failure == Failure::none && status >= 200 && status < 300; }
  std::optional<std::string_view> header(std::string_view name) const;
};

// Sends the request and waits for the answer. Network failures are reported in
// the result, never thrown. Safe to call from many threads; each thread keeps its
// own connection cache.
OutboundResponse send(const OutboundRequest& request);

// application/x-www-form-urlencoded encoding of one value.
std::string form_encode(std::string_view value);

}  // namespace frontdoor::http
