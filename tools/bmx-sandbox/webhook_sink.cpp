// A receiver for frontdoor's integrator webhooks, so that a newcomer (and the
// tests) can watch events arrive: POST /_sandbox/webhook-sink/{name} records
// what it receives and checks the Frontdoor-Signature against the secrets given
// with PUT; GET lists what arrived, oldest first. Faults (/_sandbox/faults with
// this path) make it slow, failing or unreachable.
//
// The signature is checked as an integrator would, from docs/api.md alone, with
// its own HMAC: the sink shares no code with frontdoor's signer, so a mistake
// there cannot be repeated here and pass unseen.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <sstream>

#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

struct SignatureParts {
  std::optional<std::int64_t> timestamp;
  std::vector<std::string> v1;
};

SignatureParts split_signature(std::string_view header) {
  SignatureParts parts;
  std::stringstream items{std::string(header)};
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.rfind("t=", 0) == 0) {
      try {
        parts.timestamp = std::stoll(item.substr(2));
      } catch (const std::exception&) {
        parts.timestamp.reset();
      }
    } else if (item.rfind("v1=", 0) == 0) {
      parts.v1.push_back(item.substr(3));
    }
  }
  return parts;
}

// Hex HMAC-SHA256(secret, "<t>.<raw body>"), as docs/api.md ("Webhooks for
// integrators") defines v1.
std::string expected_v1(std::int64_t timestamp, std::string_view body, std::string_view secret) {
  const std::string signed_text = std::to_string(timestamp) + "." + std::string(body);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(),
       digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

// Null when no secret was given for the sink; otherwise whether some v1 is the
// HMAC of "<t>.<body>" under some secret.
nlohmann::json signature_valid(const std::vector<std::string>& secrets, const Request& request) {
  if (secrets.empty()) return nullptr;
  const auto header = request.header("Frontdoor-Signature");
  if (!header) return false;
  const auto parts = split_signature(*header);
  if (!parts.timestamp) return false;
  for (const auto& secret : secrets) {
    const auto expected = expected_v1(*parts.timestamp, request.body, secret);
    for (const auto& given : parts.v1) {
      if (given == expected) return true;
    }
  }
  return false;
}

}  // namespace

void Sandbox::add_webhook_sink_routes(frontdoor::http::Router& router) {
  router.add("PUT", "/_sandbox/webhook-sink/{name}", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    std::vector<std::string> secrets;
    if (body.contains("secrets") && body["secrets"].is_array()) {
      for (const auto& secret : body["secrets"]) {
        if (secret.is_string()) secrets.push_back(secret.get<std::string>());
      }
    }
    std::lock_guard lock(mutex_);
    sinks_[std::string(request.param("name"))].secrets = std::move(secrets);
    return json_response(200,
                         {{"secrets", sinks_[std::string(request.param("name"))].secrets.size()}});
  });
  router.add("POST", "/_sandbox/webhook-sink/{name}", provider_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto& sink = sinks_[std::string(request.param("name"))];
               nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
               sink.received.push_back(
                   {{"at", frontdoor::common::to_rfc3339(std::chrono::system_clock::now())},
                    {"event_id", std::string(request.header("Frontdoor-Event-Id").value_or(""))},
                    {"signature", std::string(request.header("Frontdoor-Signature").value_or(""))},
                    {"signature_valid", signature_valid(sink.secrets, request)},
                    {"raw_body", request.body},
                    {"body", body.is_discarded() ? nlohmann::json(nullptr) : body}});
               return json_response(200, {{"received", true}});
             }));
  router.add("GET", "/_sandbox/webhook-sink/{name}", [this](Request& request) {
    std::lock_guard lock(mutex_);
    const auto found = sinks_.find(std::string(request.param("name")));
    const auto received =
        found == sinks_.end() ? nlohmann::json::array() : nlohmann::json(found->second.received);
    return json_response(200, {{"data", received}});
  });
}

}  // namespace bmx_sandbox
