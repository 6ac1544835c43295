#include "frontdoor/db/read.hpp"

namespace frontdoor::db {
namespace detail {

void unreadable(std::string_view column, std::string_view value, std::string_view wanted) {
  throw std::logic_error("column " + std::string(column) + " holds '" + std::string(value) +
                         "', not " + std::string(wanted));
}

int column_index(const pqxx::result& result, std::string_view name) {
  for (pqxx::row::size_type i = 0; i < result.columns(); ++i) {
    if (result.column_name(i) == name) return static_cast<int>(i);
  }
  throw std::logic_error("the statement's result has no column named " + std::string(name));
}

int column_index(const Rows& rows, std::string_view name) {
  const int found = rows.column_number(name);
  if (found < 0) {
    throw std::logic_error("the statement's result has no column named " + std::string(name));
  }
  return found;
}

}  // namespace detail

}  // namespace frontdoor::db
