#include "frontdoor/db/errors.hpp"

#include <pqxx/except>
#include <string>

namespace frontdoor::db {
namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

common::ApiError database_unavailable() {
  return common::ApiError::service_unavailable(
      "database_unavailable", "The database is unavailable right now; try again shortly.", 1);
}

bool is_connection_failure(const std::exception& failure) {
  if (dynamic_cast<const pqxx::broken_connection*>(&failure) != nullptr) return true;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&failure)) {
    // 08: connection exceptions; 57P0x: the server is shutting down or starting.
    const std::string state = sql->sqlstate();
    return starts_with(state, "08") || starts_with(state, "57P");
  }
  // libpqxx reports a server that vanished mid-query without an SQLSTATE.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&failure) != nullptr) return true;
  return false;
}

std::optional<common::ApiError> error_for_sqlstate(const std::string& state) {
  if (starts_with(state, "08") || starts_with(state, "57P")) return database_unavailable();
  if (state == "23505") {
    return common::ApiError::conflict("already_exists", "Something with these details exists.");
  }
  if (state == "23503") {
    return common::ApiError::unprocessable("reference_not_found",
                                           "The request refers to something that does not exist.");
  }
  // Serialization failures and deadlocks are transient: the client may retry.
  if (state == "40001" || state == "40P01") {
    return common::ApiError::service_unavailable("database_busy",
                                                 "The database is busy; try again shortly.", 1);
  }
  // Cancelled by statement_timeout: the database is too slow right now.
  if (state == "57014") {
    return common::ApiError::service_unavailable(
        "database_busy", "The database did not answer in time; try again shortly.", 1);
  }
  return std::nullopt;
}

std::optional<common::ApiError> to_api_error(const std::exception& failure) {
  if (is_connection_failure(failure)) return database_unavailable();
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&failure)) {
    return error_for_sqlstate(sql->sqlstate());
  }
  return std::nullopt;
}

}  // namespace frontdoor::db
