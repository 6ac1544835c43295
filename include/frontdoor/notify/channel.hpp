#pragma once

// The outbox's channels: where a queued message goes, each delivered on a lane
// of its own so that a slow or failing one never delays another (dispatcher.hpp).
#include <array>
#include <string_view>
#include <utility>

#include "frontdoor/common/names.hpp"

namespace frontdoor::notify {

enum class Channel {
  email,
  sms,
  push,
  bmx,         // pass issuance and revocation at BMX: may back up
  bmx_urgent,  // BMX work nothing may delay (a used-up key, a door check, BMX's webhooks)
  webhook,     // integrators' webhooks
};

}  // namespace frontdoor::notify

template <>
struct frontdoor::common::Names<frontdoor::notify::Channel> {
  using C = notify::Channel;
  static constexpr std::array<std::pair<C, std::string_view>, 6> all{{{C::email, "email"},
                                                                      {C::sms, "sms"},
                                                                      {C::push, "push"},
                                                                      {C::bmx, "bmx"},
                                                                      {C::bmx_urgent, "bmx_urgent"},
                                                                      {C::webhook, "webhook"}}};
};
