#pragma once

// Rows into structs by column name, on both paths (a libpqxx result on the
// workers, db::Rows on the I/O threads). Each row struct says once which column
// fills which member:
//
//   template <> struct db::Shape<Denial> {
//     static constexpr auto columns = std::make_tuple(
//         db::column("id", &Denial::id), db::column("name", &Denial::name), ...);
//   };
//   auto denials = db::read_all<Denial>(db::exec(tx, kDenials, property_id));
//
// Columns are found by name once per result (a statement whose SELECT lacks one
// fails loudly, naming it); members are std::string, numbers, bool, TimePoint
// (from timestamptz), Bytes (from bytea), enums with common::Names, and
// std::optional of any of them for nullable columns. Nothing outside src/db/ reads a row by
// position.
#include <array>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/names.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/rows.hpp"

namespace frontdoor::db {

template <typename Struct, typename Member>
struct Column {
  std::string_view name;
  Member Struct::*member;
};

template <typename Struct, typename Member>
constexpr Column<Struct, Member> column(std::string_view name, Member Struct::*member) {
  return {name, member};
}

// A member that a row struct inherits from a domain type it extends.
template <typename Struct, typename Base, typename Member>
constexpr Column<Struct, Member> column_of(std::string_view name, Member Base::*member) {
  static_assert(std::is_base_of_v<Base, Struct>, "a member of the row struct or of its base");
  return {name, static_cast<Member Struct::*>(member)};
}

template <typename T>
struct Shape;  // specialised per row struct: `static constexpr auto columns`

// A bytea column's bytes (sealed secrets, say).
struct Bytes {
  std::string bytes;
};

namespace detail {

template <typename T>
struct Optional : std::false_type {};
template <typename T>
struct Optional<std::optional<T>> : std::true_type {
  using Inner = T;
};

[[noreturn]] void unreadable(std::string_view column, std::string_view value,
                             std::string_view wanted);

int column_index(const pqxx::result& result, std::string_view name);
int column_index(const Rows& rows, std::string_view name);

template <typename T, typename Field>
T decode(const Field& field, std::string_view column) {
  if constexpr (Optional<T>::value) {
    if (field.is_null()) return std::nullopt;
    return decode<typename Optional<T>::Inner>(field, column);
  } else {
    if (field.is_null()) unreadable(column, "NULL", "a value");
    if constexpr (std::is_same_v<T, common::TimePoint>) {
      const auto time = common::parse_sql_timestamp(field.c_str());
      if (!time) unreadable(column, field.c_str(), "a timestamptz");
      return *time;
    } else if constexpr (std::is_same_v<T, Bytes>) {
      if constexpr (std::is_same_v<Field, pqxx::field>) {
        return Bytes{pqxx::binarystring(field).str()};
      } else {
        return Bytes{field.bytes()};
      }
    } else if constexpr (std::is_enum_v<T>) {
      static_assert(common::has_names<T>, "an enum read from a row needs common::Names");
      const auto value = common::named<T>(field.c_str());
      if (!value) unreadable(column, field.c_str(), "one of its enum's names");
      return *value;
    } else {
      return field.template as<T>();
    }
  }
}

}  // namespace detail

// Every row of a result as T.
template <typename T, typename Result>
std::vector<T> read_all(const Result& result) {
  const auto& columns = Shape<T>::columns;
  constexpr std::size_t kCount = std::tuple_size_v<std::decay_t<decltype(Shape<T>::columns)>>;
  std::array<int, kCount> at{};
  std::apply(
      [&](const auto&... each) {
        std::size_t i = 0;
        ((at[i++] = detail::column_index(result, each.name)), ...);
      },
      columns);
  std::vector<T> read;
  read.reserve(result.size());
  for (std::size_t r = 0; r < result.size(); ++r) {
    const auto row = result[static_cast<int>(r)];
    T value{};
    std::apply(
        [&](const auto&... each) {
          std::size_t i = 0;
          ((value.*(each.member) =
                detail::decode<std::remove_reference_t<decltype(value.*(each.member))>>(
                    row[at[i++]], each.name)),
           ...);
        },
        columns);
    read.push_back(std::move(value));
  }
  return read;
}

// The first row as T, or nothing when there is none.
template <typename T, typename Result>
std::optional<T> read_first(const Result& result) {
  if (result.empty()) return std::nullopt;
  auto all = read_all<T>(result);
  return std::move(all.front());
}

// Exactly one row as T (a statement that always answers one, like a count).
template <typename T, typename Result>
T read_one(const Result& result) {
  if (result.size() != 1) {
    throw std::logic_error("expected one row, got " + std::to_string(result.size()));
  }
  return std::move(read_all<T>(result).front());
}

}  // namespace frontdoor::db
