#include "sender.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "frontdoor/bmx/token_cipher.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/client.hpp"
#include "frontdoor/webhooks/rules.hpp"
#include "target_check.hpp"

namespace frontdoor::webhooks {
namespace {

// The body an integrator receives, byte for byte what is signed.
std::string event_body(const store::PendingDelivery& delivery) {
  return nlohmann::json{{"id", delivery.event_id},
                        {"type", delivery.type},
                        {"created_at", common::to_rfc3339(delivery.created_at)},
                        {"property_id", delivery.property_id},
                        {"data", nlohmann::json::parse(delivery.data)}}
      .dump();
}

// curl's pin for a name: host:port:addr[,addr] (IPv6 in brackets).
std::string pin(const CheckedTarget& checked) {
  std::string entry = checked.target.host + ":" + std::to_string(checked.target.port) + ":";
  for (std::size_t i = 0; i < checked.addresses.size(); ++i) {
    const auto& address = checked.addresses[i];
    if (i > 0) entry += ",";
    entry += address.find(':') == std::string::npos ? address : "[" + address + "]";
  }
  return entry;
}

}  // namespace

std::string sealing_context(const std::string& subscription_id) {
  return "webhook:" + subscription_id;
}

Outcome send_signed(const bmx::TokenCipher& cipher, const Options& options,
                    const store::PendingDelivery& delivery, common::TimePoint now) {
  const auto checked = check_target(delivery.url, options);
  if (!checked) return {false, std::nullopt, "the URL is not an absolute http(s) URL"};
  if (!checked->refusal.empty()) return {false, std::nullopt, "refused: " + checked->refusal};
  if (!checked->resolved()) return {false, std::nullopt, "cannot resolve " + checked->target.host};

  std::vector<std::string> secrets{
      cipher.open(delivery.secret, sealing_context(delivery.subscription_id))};
  if (delivery.previous_secret && delivery.previous_until && *delivery.previous_until > now) {
    secrets.push_back(
        cipher.open(*delivery.previous_secret, sealing_context(delivery.subscription_id)));
  }
  http::OutboundRequest request;
  request.method = "POST";
  request.url = delivery.url;
  request.body = event_body(delivery);
  const auto signed_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "frontdoor-webhooks/1"},
                     {"Frontdoor-Event-Id", delivery.event_id},
                     {"Frontdoor-Signature", signature_header(signed_at, request.body, secrets)}};
  // Connect only to the addresses just checked: a second lookup could answer otherwise.
  if (checked->addresses != std::vector<std::string>{checked->target.host}) {
    request.resolve = {pin(*checked)};
  }
  request.connect_timeout = std::min(options.timeout, std::chrono::milliseconds(5000));
  request.total_timeout = options.timeout;
  request.max_response_bytes = 64 << 10;
  const auto response = http::send(request);
  if (response.failure != http::OutboundResponse::Failure::none) {
    return {false, std::nullopt, response.error};
  }
  if (response.ok()) return {true, response.status, {}};
  return {false, response.status, "the receiver answered " + std::to_string(response.status)};
}

}  // namespace frontdoor::webhooks
