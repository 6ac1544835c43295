#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "frontdoor/bmx/client.hpp"

namespace frontdoor::http {
class Metrics;
}

namespace frontdoor::bmx {

struct HttpClientOptions {
  std::string api_url;       // https://api.butterflymx.com (no trailing slash)
  std::string accounts_url;  // https://accounts.butterflymx.com
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{8000};  // per attempt
  int max_attempts = 3;                     // for calls that are safe to repeat
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_cap{4000};
  // A Retry-After longer than this is not waited for: the call fails as rate_limited.
  std::chrono::seconds longest_retry_after{10};
  int breaker_failures = 5;  // consecutive failures that open the circuit
  std::chrono::milliseconds breaker_open_for{30000};
};

// Told about every failed call, e.g. to keep the last error per operation for
// support. `as` is null for OAuth calls.
using FailureObserver = std::function<void(const TokenSource* as, const BmxError&)>;

// The libcurl BmxClient: timeouts, jittered retries of safe calls (429 honouring
// Retry-After, 5xx, network errors), one token refresh on 401, a circuit breaker
// towards the API host, and metrics per operation and outcome.
std::unique_ptr<BmxClient> make_http_client(HttpClientOptions options, http::Metrics& metrics,
                                            FailureObserver observer = {});

}  // namespace frontdoor::bmx
