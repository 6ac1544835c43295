#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/names.hpp"

namespace frontdoor::http {

// Writes JSON text straight into a string, for the hot read routes whose
// answers are lists: building an nlohmann::json tree first costs a map node and
// a copy per field, which was a fifth of a directory or visitor list's CPU.
//
// The text is byte for byte what nlohmann's dump() gives for the same value, so
// the two kinds of route answer alike: keys must be written in ascending byte
// order (as its std::map keeps them; debug builds assert it), strings are
// escaped as it escapes them, and text that is not UTF-8 is handed to it.
class JsonWriter {
 public:
  // `expected_bytes` is reserved up front, so that a list grows its buffer once.
  explicit JsonWriter(std::size_t expected_bytes = 0) { out_.reserve(expected_bytes); }

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();

  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::optional<std::string>& text);  // null when empty
  // A time as the API writes one, RFC 3339 in UTC to the second ("…T17:00:00Z").
  JsonWriter& value(common::TimePoint time);
  JsonWriter& value(const std::optional<common::TimePoint>& time);  // null when empty
  // A state by its name (common::Names): the one place an enum becomes text.
  template <typename Enum, typename = std::enable_if_t<common::has_names<Enum>>>
  JsonWriter& value(Enum state) {
    return value(common::name_of(state));
  }
  JsonWriter& null();
  JsonWriter& number(long long value);
  JsonWriter& number(const std::optional<int>& value);  // null when empty
  // key(name), then value(text).
  template <typename Text>
  JsonWriter& field(std::string_view name, const Text& text) {
    return key(name).value(text);
  }

  // A value that is already JSON text (e.g. another writer's output).
  JsonWriter& raw(std::string_view json);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();

  std::string out_;
  // Whether the innermost container already holds an element; a key just
  // written counts as "value expected", not as an element.
  bool need_comma_ = false;
#ifndef NDEBUG
  std::vector<std::string> keys_;  // the last key of each open object
#endif
};

}  // namespace frontdoor::http
