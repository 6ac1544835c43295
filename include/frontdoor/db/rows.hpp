#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// libpq's result, without libpq's header: the asynchronous path hands these out.
struct pg_result;

namespace frontdoor::db {

// One value of a row, read the way libpqxx reads one (text format): `as<T>()`
// for std::string, bool, int, long long, std::int64_t and double; is_null().
// Store decoders are written once against this shape and serve both paths.
class Field {
 public:
  Field(const pg_result* result, int row, int column)
      : result_(result), row_(row), column_(column) {}
  bool is_null() const;
  std::string_view view() const;
  const char* c_str() const;
  // A bytea value, unescaped from its text form.
  std::string bytes() const;
  template <typename T>
  T as() const;

 private:
  const pg_result* result_;
  int row_;
  int column_;
};

template <>
std::string Field::as<std::string>() const;
template <>
bool Field::as<bool>() const;
template <>
int Field::as<int>() const;
template <>
long Field::as<long>() const;
template <>
long long Field::as<long long>() const;
template <>
double Field::as<double>() const;

class Row {
 public:
  Row(const pg_result* result, int row) : result_(result), row_(row) {}
  Field operator[](int column) const { return {result_, row_, column}; }
  int size() const;

 private:
  const pg_result* result_;
  int row_;
};

// The rows of one statement, owning libpq's result.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);
  std::size_t size() const;
  bool empty() const { return size() == 0; }
  // The column's position in each row, or -1 when there is no such column.
  int column_number(std::string_view name) const;
  Row operator[](std::size_t row) const { return {result_.get(), static_cast<int>(row)}; }

  class iterator {
   public:
    iterator(const pg_result* result, int row) : result_(result), row_(row) {}
    Row operator*() const { return {result_, row_}; }
    iterator& operator++() {
      ++row_;
      return *this;
    }
    bool operator!=(const iterator& other) const { return row_ != other.row_; }

   private:
    const pg_result* result_;
    int row_;
  };
  iterator begin() const { return {result_.get(), 0}; }
  iterator end() const { return {result_.get(), static_cast<int>(size())}; }

 private:
  std::shared_ptr<pg_result> result_;
};

// A statement's parameters in libpq's text format: nullopt is NULL.
using Parameter = std::optional<std::string>;

inline Parameter parameter(const std::string& text) { return text; }
inline Parameter parameter(const char* text) { return std::string(text); }
inline Parameter parameter(std::string_view text) { return std::string(text); }
inline Parameter parameter(const std::optional<std::string>& text) { return text; }
inline Parameter parameter(bool value) { return std::string(value ? "true" : "false"); }
inline Parameter parameter(int value) { return std::to_string(value); }
inline Parameter parameter(long value) { return std::to_string(value); }
inline Parameter parameter(long long value) { return std::to_string(value); }

}  // namespace frontdoor::db
