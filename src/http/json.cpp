#include "frontdoor/http/json.hpp"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>

#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::http {
namespace {

std::size_t utf8_length(const std::string& text) {
  std::size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace

nlohmann::json parse_json_body(const Request& request) {
  if (auto type = request.header("content-type");
      type && !boost::algorithm::istarts_with(*type, "application/json")) {
    throw common::ApiError{415, "unsupported_media_type", "Unsupported media type",
                           "Send the body as application/json."};
  }
  bool too_deep = false;
  bool nul = false;
  auto guard = [&too_deep, &nul](int depth, nlohmann::json::parse_event_t event,
                                 nlohmann::json& parsed) {
    if (depth > kMaxJsonDepth) too_deep = true;
    if ((event == nlohmann::json::parse_event_t::key ||
         event == nlohmann::json::parse_event_t::value) &&
        parsed.is_string() &&
        parsed.get_ref<const std::string&>().find('\0') != std::string::npos) {
      nul = true;
    }
    return !too_deep;
  };
  try {
    auto body = nlohmann::json::parse(request.body, guard);
    if (too_deep) {
      throw common::ApiError::bad_request("malformed_json", "The JSON body is nested too deeply.");
    }
    if (nul) {
      throw common::ApiError::bad_request("nul_character",
                                          "Text in the body may not contain NUL (\\u0000).");
    }
    return body;
  } catch (const nlohmann::json::exception&) {
    throw common::ApiError::bad_request("malformed_json",
                                        too_deep ? "The JSON body is nested too deeply."
                                                 : "The body is not valid JSON (UTF-8, RFC 8259).");
  }
}

nlohmann::json text_or_null(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

nlohmann::json time_or_null(const std::optional<common::TimePoint>& time) {
  return time ? nlohmann::json(common::to_rfc3339(*time)) : nlohmann::json(nullptr);
}

Response json_response(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response json_response(int status, std::string json_text) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(json_text);
  return response;
}

JsonFields::JsonFields(const nlohmann::json& body, UnknownFields unknown)
    : body_(body), unknown_(unknown) {
  if (!body_.is_object()) add_error("", "type", "The body must be a JSON object.");
}

void JsonFields::note_read(std::string_view name) const {
  if (std::find(asked_.begin(), asked_.end(), name) == asked_.end()) asked_.emplace_back(name);
}

const nlohmann::json* JsonFields::find(std::string_view name, bool required) {
  note_read(name);
  if (!body_.is_object()) return nullptr;
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    if (required) add_error(std::string(name), "required", "This field is required.");
    return nullptr;
  }
  return &*it;
}

const nlohmann::json& JsonFields::raw(std::string_view name) const {
  static const nlohmann::json kNull;
  note_read(name);
  if (!body_.is_object()) return kNull;
  const auto found = body_.find(name);
  return found == body_.end() ? kNull : *found;
}

bool JsonFields::has(std::string_view name) const {
  note_read(name);
  return body_.is_object() && body_.contains(name) && !body_.at(std::string(name)).is_null();
}

bool JsonFields::present(std::string_view name) const {
  note_read(name);
  return body_.is_object() && body_.contains(name);
}

JsonFields::Nullable JsonFields::nullable_integer(std::string_view name, std::int64_t min,
                                                  std::int64_t max) {
  if (!present(name)) return {};
  // A refused value is not given: its error is noted for finish().
  if (!has(name)) return {true, std::nullopt};
  const auto value = integer(name, false, min, max);
  return {value.has_value(), value};
}

std::optional<std::string> JsonFields::string(std::string_view name, bool required,
                                              std::size_t min_length, std::size_t max_length,
                                              common::TextKind kind) {
  const auto* value = find(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    add_error(std::string(name), "type", "Must be a string.");
    return std::nullopt;
  }
  auto text = value->get<std::string>();
  const auto length = utf8_length(text);
  if (length < min_length || length > max_length) {
    add_error(std::string(name), "length",
              "Must be " + std::to_string(min_length) + " to " + std::to_string(max_length) +
                  " characters long.");
    return std::nullopt;
  }
  if (common::has_forbidden_characters(text, kind)) {
    add_error(std::string(name), "control_characters",
              kind == common::TextKind::multi_line
                  ? "Must not contain control characters other than line breaks and tabs."
                  : "Must not contain line breaks or other control characters.");
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> JsonFields::integer(std::string_view name, bool required,
                                                std::int64_t min, std::int64_t max) {
  const auto* value = find(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) {
    add_error(std::string(name), "type", "Must be a whole number.");
    return std::nullopt;
  }
  // Unsigned values above int64 range arrive as number_unsigned.
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    add_error(std::string(name), "range",
              "Must be between " + std::to_string(min) + " and " + std::to_string(max) + ".");
    return std::nullopt;
  }
  auto number = value->get<std::int64_t>();
  if (number < min || number > max) {
    add_error(std::string(name), "range",
              "Must be between " + std::to_string(min) + " and " + std::to_string(max) + ".");
    return std::nullopt;
  }
  return number;
}

std::optional<bool> JsonFields::boolean(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    add_error(std::string(name), "type", "Must be true or false.");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::string> JsonFields::one_of(std::string_view name, bool required,
                                              const std::vector<std::string_view>& allowed) {
  const auto* value = find(name, required);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) {
    auto text = value->get<std::string>();
    for (auto option : allowed) {
      if (text == option) return text;
    }
  }
  std::string list;
  for (auto option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
  add_error(std::string(name), "invalid", "Must be one of: " + list + ".");
  return std::nullopt;
}

std::optional<std::string> JsonFields::email(std::string_view name, bool required) {
  auto text = string(name, required, 3, 254);
  if (!text) return std::nullopt;
  if (!common::is_email(*text)) {
    add_error(std::string(name), "format", "Must be an e-mail address.");
    return std::nullopt;
  }
  return common::normalize_email(*text);
}

std::optional<std::string> JsonFields::phone(std::string_view name, bool required) {
  auto text = string(name, required, 1, 32);
  if (!text) return std::nullopt;
  if (!common::is_e164(*text)) {
    add_error(std::string(name), "format", "Must be an E.164 number such as +15551234567.");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> JsonFields::uuid(std::string_view name, bool required) {
  auto text = string(name, required, 1, 36);
  if (!text) return std::nullopt;
  if (!is_uuid(*text)) {
    add_error(std::string(name), "format", "Must be an id as the API gave it.");
    return std::nullopt;
  }
  return lower_case(*text);
}

void JsonFields::add_error(std::string field, std::string code, std::string message) {
  errors_.push_back({std::move(field), std::move(code), std::move(message)});
}

void JsonFields::finish() const {
  std::vector<common::FieldError> unknown;
  if (body_.is_object() && unknown_ == UnknownFields::refused) {
    for (const auto& [name, value] : body_.items()) {
      if (std::find(asked_.begin(), asked_.end(), name) != asked_.end()) continue;
      unknown.push_back(
          {name, "unknown_field", "This field is not part of this request; check its spelling."});
    }
  }
  if (!unknown.empty()) {
    std::string names;
    for (const auto& field : unknown) names += (names.empty() ? "" : ", ") + field.field;
    unknown.insert(unknown.end(), errors_.begin(), errors_.end());
    throw common::ApiError::unprocessable("unknown_field", "Unknown field: " + names + ".",
                                          std::move(unknown));
  }
  if (!errors_.empty()) throw common::ApiError::validation(errors_);
}

}  // namespace frontdoor::http
