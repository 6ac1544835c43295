#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace frontdoor::bmx {

// The part of a BMX webhook frontdoor acts on: {"event": {resource_type, action,
// data: {id}}}. door_release.create is reported as access_log (the same event).
struct WebhookEvent {
  std::string resource_type;  // "call" or "access_log"
  std::string action;         // "create"
  std::int64_t resource_id = 0;
};

// nullopt for a well-formed event frontdoor does not act on; throws ApiError
// (400 malformed_webhook) for anything else that is not the documented shape.
std::optional<WebhookEvent> parse_webhook_event(const nlohmann::json& body);

}  // namespace frontdoor::bmx
