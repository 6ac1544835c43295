#pragma once

// A statement, declared once beside the store that owns its tables:
//
//   constexpr db::Statement kFindVisitor{"visitors_find", R"sql(
//     SELECT v.id, v.name, ... FROM visitors v WHERE v.id = $1
//   )sql", 1};
//
// Both paths prepare and run it by this object (Pool::prepare, db::exec,
// AsyncDatabase::use and run): no call site writes a statement's name, and a
// declaration whose parameter count disagrees with its SQL fails at start-up.
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>

namespace frontdoor::db {

struct Statement {
  std::string_view name;
  std::string_view sql;
  int parameters = 0;
};

// The highest $N the SQL uses (outside string literals and comments).
int highest_parameter(std::string_view sql);

// Throws std::logic_error when the declared count and the SQL disagree.
void check_declaration(const Statement& statement);

// Runs a prepared statement in a libpqxx transaction, with exactly its parameters.
template <typename... Parameters>
pqxx::result exec(pqxx::transaction_base& tx, const Statement& statement,
                  const Parameters&... parameters) {
  if (static_cast<int>(sizeof...(Parameters)) != statement.parameters) {
    throw std::logic_error("statement " + std::string(statement.name) + " takes " +
                           std::to_string(statement.parameters) + " parameters, given " +
                           std::to_string(sizeof...(Parameters)));
  }
  return tx.exec_prepared(std::string(statement.name), parameters...);
}

}  // namespace frontdoor::db
