#include "frontdoor/db/statement.hpp"

namespace frontdoor::db {

int highest_parameter(std::string_view sql) {
  int highest = 0;
  for (std::size_t at = 0; at < sql.size(); ++at) {
    const char c = sql[at];
    if (c == '\'' || c == '"') {
      // A literal or a quoted identifier: its $ signs are not parameters.
      const auto close = sql.find(c, at + 1);
      if (close == std::string_view::npos) break;
      at = close;
    } else if (c == '-' && at + 1 < sql.size() && sql[at + 1] == '-') {
      const auto end = sql.find('\n', at);
      if (end == std::string_view::npos) break;
      at = end;
    } else if (c == '$' && at + 1 < sql.size() && sql[at + 1] >= '1' && sql[at + 1] <= '9') {
      int number = 0;
      std::size_t digit = at + 1;
      for (; digit < sql.size() && sql[digit] >= '0' && sql[digit] <= '9'; ++digit) {
        number = number * 10 + (sql[digit] - '0');
      }
      if (number > highest) highest = number;
      at = digit - 1;
    }
  }
  return highest;
}

void check_declaration(const Statement& statement) {
  const int used = highest_parameter(statement.sql);
  if (used != statement.parameters) {
    throw std::logic_error("statement " + std::string(statement.name) + " declares " +
                           std::to_string(statement.parameters) + " parameters but its SQL uses $" +
                           std::to_string(used));
  }
}

}  // namespace frontdoor::db
