#include "frontdoor/http/uuid.hpp"

#include <cctype>

#include "frontdoor/common/error.hpp"

namespace frontdoor::http {

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string uuid_param(const Request& request, std::string_view name) {
  const auto value = request.param(name);
  if (!is_uuid(value)) throw common::ApiError::not_found();
  return lower_case(value);
}

std::optional<std::string> uuid_query(const Request& request, std::string_view name) {
  const auto value = request.query_param(name);
  if (!value) return std::nullopt;
  if (!is_uuid(*value)) {
    throw common::ApiError::validation(
        {{std::string(name), "format", "Must be an id as the API gave it."}});
  }
  return lower_case(*value);
}

}  // namespace frontdoor::http
