#pragma once

// Enums that the API and the database write as words ("pending", "issued"):
// one table per enum, so that a state is parsed once where it comes in (a store,
// a request) and written once where it goes out (the JSON writer), and compared
// as an enum everywhere between.
//
//   template <> struct common::Names<PassStatus> {
//     static constexpr std::array<std::pair<PassStatus, std::string_view>, 4> all{{
//         {PassStatus::pending, "pending"}, ...}};
//   };
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace frontdoor::common {

template <typename Enum>
struct Names;  // specialised per enum with `static constexpr std::array all`

template <typename Enum>
constexpr std::string_view name_of(Enum value) {
  for (const auto& [each, name] : Names<Enum>::all) {
    if (each == value) return name;
  }
  return {};
}

template <typename Enum>
constexpr std::optional<Enum> named(std::string_view name) {
  for (const auto& [each, text] : Names<Enum>::all) {
    if (text == name) return each;
  }
  return std::nullopt;
}

// Whether an enum has a table of names (the row reader and JSON writer use it).
template <typename Enum, typename = void>
inline constexpr bool has_names = false;
template <typename Enum>
inline constexpr bool has_names<Enum, decltype((void)Names<Enum>::all)> = true;

}  // namespace frontdoor::common
