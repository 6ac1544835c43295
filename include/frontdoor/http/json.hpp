#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/names.hpp"
#include "frontdoor/common/text.hpp"
#include "frontdoor/http/message.hpp"

namespace frontdoor::http {

inline constexpr int kMaxJsonDepth = 32;

// Parses the body as JSON: 415 for another media type, 400 malformed_json for
// syntax errors, invalid UTF-8 or nesting deeper than kMaxJsonDepth, and 400
// nul_character for a \u0000 anywhere (libpq would cut the text there).
nlohmann::json parse_json_body(const Request& request);

Response json_response(int status, const nlohmann::json& body);
// The text, or JSON null when there is none (the apps' optional fields).
nlohmann::json text_or_null(const std::optional<std::string>& text);
// A time as the API writes it (RFC 3339, UTC, whole seconds), or null.
nlohmann::json time_or_null(const std::optional<common::TimePoint>& time);
// Any optional value (a count, an id, a flag, a state's name), or JSON null
// when there is none.
template <typename T>
nlohmann::json value_or_null(const std::optional<T>& value) {
  if (!value) return nullptr;
  if constexpr (std::is_enum_v<T>) {
    return std::string(common::name_of(*value));
  } else {
    return *value;
  }
}
// A state as the API writes it (common::Names).
template <typename Enum>
std::string name_of(Enum value) {
  return std::string(common::name_of(value));
}
// The same, from text a JsonWriter wrote (json_writer.hpp).
Response json_response(int status, std::string json_text);

// Reads typed fields from a JSON object, collecting every problem so that one
// 422 names them all. Call finish() after the last read: a field the route never
// asked about is refused there (422 unknown_field), so that a typo such as
// "max_use" can never create a pass without its limit.
// Whether finish() refuses fields no read asked about. Only bodies whose shape
// another party defines (BMX's, in the sandbox that stands in for it) ignore them.
enum class UnknownFields { refused, ignored };

class JsonFields {
 public:
  explicit JsonFields(const nlohmann::json& body, UnknownFields unknown = UnknownFields::refused);

  // Text of min to max characters. Single-line text (the default) refuses every
  // control character, line breaks included: names end up in e-mail headers.
  std::optional<std::string> string(std::string_view name, bool required, std::size_t min_length,
                                    std::size_t max_length,
                                    common::TextKind kind = common::TextKind::single_line);
  std::optional<std::int64_t> integer(std::string_view name, bool required, std::int64_t min,
                                      std::int64_t max);
  std::optional<bool> boolean(std::string_view name, bool required);
  // A field whose null means "none" (a limit lifted): `given` when it is there
  // (null or an integer from min to max), `value` when it is not null.
  struct Nullable {
    bool given = false;
    std::optional<std::int64_t> value;
  };
  Nullable nullable_integer(std::string_view name, std::int64_t min, std::int64_t max);
  // A string that must be one of `allowed`.
  std::optional<std::string> one_of(std::string_view name, bool required,
                                    const std::vector<std::string_view>& allowed);
  // A state named as its enum's common::Names name it, parsed here once.
  template <typename Enum>
  std::optional<Enum> state(std::string_view name, bool required) {
    std::vector<std::string_view> allowed;
    allowed.reserve(common::Names<Enum>::all.size());
    for (const auto& [value, text] : common::Names<Enum>::all) allowed.push_back(text);
    const auto text = one_of(name, required, allowed);
    if (!text) return std::nullopt;
    return common::named<Enum>(*text);
  }

  // An e-mail address, returned in lower case.
  std::optional<std::string> email(std::string_view name, bool required);
  // An E.164 phone number such as +15551234567.
  std::optional<std::string> phone(std::string_view name, bool required);
  // A UUID (an id the caller got from the API).
  std::optional<std::string> uuid(std::string_view name, bool required);

  void add_error(std::string field, std::string code, std::string message);
  // The field's JSON as it is (null when absent), for a shape read elsewhere.
  const nlohmann::json& raw(std::string_view name) const;
  // Whether the field is there with a value other than null.
  bool has(std::string_view name) const;
  // Whether the field is there at all, null included.
  bool present(std::string_view name) const;
  // Whether every read so far succeeded.
  bool ok() const { return errors_.empty(); }
  // Throws 422 unknown_field when the body has a field no read asked about, or
  // ApiError::validation when any read failed.
  void finish() const;

 private:
  const nlohmann::json* find(std::string_view name, bool required);
  void note_read(std::string_view name) const;

  const nlohmann::json& body_;
  UnknownFields unknown_;
  std::vector<common::FieldError> errors_;
  // Every field name a read asked about, present or not.
  mutable std::vector<std::string> asked_;
};

}  // namespace frontdoor::http
