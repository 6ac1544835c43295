#pragma once

// The webhooks module's HTTP: one signed POST of an event to a subscription's
// URL, after the address check, pinned to the addresses that were checked.
#include <optional>
#include <string>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/webhooks/service.hpp"
#include "store.hpp"

namespace frontdoor::webhooks {

// The context a subscription's secret is sealed under.
std::string sealing_context(const std::string& subscription_id);

// How one attempt went: the receiver's status, or why there was none.
struct Outcome {
  bool delivered = false;
  std::optional<int> status_code;
  std::string error;
};

// Signs with the current secret and, until it expires, the previous one.
Outcome send_signed(const bmx::TokenCipher& cipher, const Options& options,
                    const store::PendingDelivery& delivery, common::TimePoint now);

}  // namespace frontdoor::webhooks
