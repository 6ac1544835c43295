#pragma once

#include <exception>
#include <optional>
#include <string>

#include "frontdoor/common/error.hpp"

namespace frontdoor::db {

// Maps database failures to client-facing errors: unique violation → 409,
// foreign key → 422, lost or refused connection → 503 with Retry-After.
// Returns nullopt for anything that is not a database failure.
std::optional<common::ApiError> to_api_error(const std::exception& failure);

common::ApiError database_unavailable();

// The same mapping by SQLSTATE, for the asynchronous path (libpq's own results):
// connection exceptions (08, 57P) → 503, a statement cancelled by
// statement_timeout (57014) → 503, serialization failures and deadlocks → 503
// database_busy, unique violation → 409, foreign key → 422; nullopt otherwise.
std::optional<common::ApiError> error_for_sqlstate(const std::string& sqlstate);

// True when the failure means the connection (or the server) is gone.
bool is_connection_failure(const std::exception& failure);

}  // namespace frontdoor::db
