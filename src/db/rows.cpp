#include "frontdoor/db/rows.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <stdexcept>

namespace frontdoor::db {
namespace {

template <typename Number>
Number number_from(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("not a number in a database result: " + std::string(text));
  }
  return value;
}

}  // namespace

bool Field::is_null() const { return PQgetisnull(result_, row_, column_) == 1; }

const char* Field::c_str() const { return PQgetvalue(result_, row_, column_); }

std::string_view Field::view() const {
  return {PQgetvalue(result_, row_, column_),
          static_cast<std::size_t>(PQgetlength(result_, row_, column_))};
}

template <>
std::string Field::as<std::string>() const {
  if (is_null()) throw std::runtime_error("a NULL read as text from a database result");
  return std::string(view());
}

template <>
bool Field::as<bool>() const {
  const auto text = view();
  if (text == "t" || text == "true") return true;
  if (text == "f" || text == "false") return false;
  throw std::runtime_error("not a boolean in a database result: " + std::string(text));
}

template <>
int Field::as<int>() const {
  return number_from<int>(view());
}

template <>
long Field::as<long>() const {
  return number_from<long>(view());
}

template <>
long long Field::as<long long>() const {
  return number_from<long long>(view());
}

template <>
double Field::as<double>() const {
  // from_chars for double is in libstdc++ 11 and later.
  return number_from<double>(view());
}

std::string Field::bytes() const {
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(c_str()), &length);
  if (raw == nullptr) throw std::runtime_error("an unreadable bytea in a database result");
  std::string value(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return value;
}

int Row::size() const { return PQnfields(result_); }

Rows::Rows(pg_result* result) : result_(result, [](pg_result* r) { PQclear(r); }) {}

int Rows::column_number(std::string_view name) const {
  if (!result_) return -1;
  return PQfnumber(result_.get(), std::string(name).c_str());
}

std::size_t Rows::size() const {
  return result_ ? static_cast<std::size_t>(PQntuples(result_.get())) : 0;
}

}  // namespace frontdoor::db
