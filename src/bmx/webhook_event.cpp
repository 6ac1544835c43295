#include "frontdoor/bmx/webhook_event.hpp"

#include <nlohmann/json.hpp>

#include "frontdoor/common/error.hpp"

namespace frontdoor::bmx {

std::optional<WebhookEvent> parse_webhook_event(const nlohmann::json& body) {
  const auto malformed = [](const std::string& detail) {
    return common::ApiError::bad_request("malformed_webhook", detail);
  };
  if (!body.is_object() || !body.contains("event")) {
    throw malformed("Expected {\"event\": {resource_type, action, data}}.");
  }
  const auto& event = body["event"];
  if (!event.is_object() || !event.contains("resource_type") ||
      !event["resource_type"].is_string() || !event.contains("action") ||
      !event["action"].is_string() || !event.contains("data") || !event["data"].is_object()) {
    throw malformed("Expected {\"event\": {resource_type, action, data}}.");
  }
  const auto type = event["resource_type"].get<std::string>();
  const auto action = event["action"].get<std::string>();
  if ((type != "call" && type != "access_log" && type != "door_release") || action != "create") {
    return std::nullopt;
  }
  const auto& data = event["data"];
  if (!data.contains("id") || !data["id"].is_number_integer() ||
      data["id"].get<std::int64_t>() <= 0) {
    throw malformed("The event's data needs a positive numeric id.");
  }
  return WebhookEvent{type == "call" ? "call" : "access_log", action,
                      data["id"].get<std::int64_t>()};
}

}  // namespace frontdoor::bmx
