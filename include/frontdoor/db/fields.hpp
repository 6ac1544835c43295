#pragma once

// Reading a nullable column into the stores' row structs.
#include <optional>
#include <pqxx/field>

namespace frontdoor::db {

// The column's value, or nothing when it is NULL.
template <typename T>
std::optional<T> optional_of(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace frontdoor::db
