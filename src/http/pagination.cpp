#include "frontdoor/http/pagination.hpp"

#include <charconv>

#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/http/json.hpp"

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

}  // namespace frontdoor::http
