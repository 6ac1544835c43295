#include "frontdoor/http/pagination.hpp"

#include <charconv>

#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::http {

PageRequest page_request(const Request& request) {
  PageRequest page;
  if (auto text = request.query_param("limit")) {
    int value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value < 1 ||
        value > kMaxPageSize) {
      throw common::ApiError::validation(
          {{"limit", "range", "Must be a whole number from 1 to 100."}});
    }
    page.limit = value;
  }
  if (auto cursor = request.query_param("cursor")) {
    auto decoded = common::base64url_decode(*cursor);
    try {
      if (!decoded || cursor->size() > 512) throw std::invalid_argument("cursor");
      page.after = nlohmann::json::parse(*decoded);
    } catch (const std::exception&) {
      throw common::ApiError::validation(
          {{"cursor", "invalid", "Use the next_cursor of a previous page, unchanged."}});
    }
  }
  return page;
}

std::string encode_cursor(const nlohmann::json& position) {
  return common::base64url_encode(position.dump());
}

Response page_response(nlohmann::json items, const std::optional<nlohmann::json>& next_position) {
  return json_response(
      200, {{"data", std::move(items)},
            {"next_cursor", next_position ? nlohmann::json(encode_cursor(*next_position))
                                          : nlohmann::json(nullptr)}});
}

std::optional<TimeAndId> time_and_id_after(const PageRequest& page) {
  if (!page.after) return std::nullopt;
  const auto& after = *page.after;
  if (!after.is_array() || after.size() != 2 || !after[0].is_string() || !after[1].is_string() ||
      !common::parse_rfc3339(after[0].get<std::string>()) ||
      !is_uuid(after[1].get<std::string>())) {
    throw common::ApiError::validation({{"cursor", "invalid", "Unknown cursor."}});
  }
  return TimeAndId{after[0].get<std::string>(), after[1].get<std::string>()};
}

}  // namespace frontdoor::http
