#include "frontdoor/http/pagination.hpp"

#include <charconv>
#include <cstdint>

#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/text.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/json_writer.hpp"
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

Response page_response(const JsonWriter& items,
                       const std::optional<nlohmann::json>& next_position) {
  JsonWriter page(items.text().size() + 128);
  page.begin_object().key("data").raw(items.text()).key("next_cursor");
  if (next_position) {
    page.value(encode_cursor(*next_position));
  } else {
    page.null();
  }
  return json_response(200, page.end_object().take());
}

namespace {

constexpr std::size_t kMaxCursorText = 256;

common::ApiError unknown_cursor() {
  return common::ApiError::validation(
      {{"cursor", "invalid", "Use the next_cursor of a previous page, unchanged."}});
}

std::optional<std::string> cursor_part(const nlohmann::json& value, CursorPart part) {
  if (part == CursorPart::integer) {
    // JSON text gives non-negative numbers back as unsigned.
    if (value.is_number_unsigned()) {
      const auto number = value.get<std::uint64_t>();
      if (number > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return std::to_string(number);
    }
    if (!value.is_number_integer()) return std::nullopt;
    return std::to_string(value.get<std::int64_t>());
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  switch (part) {
    case CursorPart::text:
      if (text.size() > kMaxCursorText ||
          common::has_forbidden_characters(text, common::TextKind::single_line)) {
        return std::nullopt;
      }
      break;
    case CursorPart::uuid:
      if (!is_uuid(text)) return std::nullopt;
      break;
    case CursorPart::time:
      if (!common::parse_rfc3339(text)) return std::nullopt;
      break;
    case CursorPart::integer:
      break;
  }
  return text;
}

}  // namespace

std::optional<std::vector<std::string>> cursor_parts(const PageRequest& page,
                                                     const std::vector<CursorPart>& parts) {
  if (!page.after) return std::nullopt;
  const auto& after = *page.after;
  if (!after.is_array() || after.size() != parts.size()) throw unknown_cursor();
  std::vector<std::string> values;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto value = cursor_part(after[i], parts[i]);
    if (!value) throw unknown_cursor();
    values.push_back(std::move(*value));
  }
  return values;
}

std::optional<TimeAndId> time_and_id_after(const PageRequest& page) {
  auto parts = cursor_parts(page, {CursorPart::time, CursorPart::uuid});
  if (!parts) return std::nullopt;
  return TimeAndId{(*parts)[0], (*parts)[1]};
}

common::PageQuery<TimeAndId> newest_first_query(const Request& request) {
  const auto page = page_request(request);
  return {page.limit, time_and_id_after(page)};
}

std::optional<nlohmann::json> next_position(const std::optional<TimeAndId>& next) {
  if (!next) return std::nullopt;
  return nlohmann::json::array({next->time, next->id});
}

}  // namespace frontdoor::http
