#include "frontdoor/common/error.hpp"

namespace frontdoor::common {

ApiError::ApiError(int status, std::string code, std::string title, std::string detail,
                   std::vector<FieldError> errors)
    : std::runtime_error(code),
      status_(status),
      code_(std::move(code)),
      title_(std::move(title)),
      detail_(std::move(detail)),
      errors_(std::move(errors)) {}

ApiError& ApiError::with_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

ApiError& ApiError::with_extension(std::string name, std::string value) {
  extensions_.emplace_back(std::move(name), std::move(value));
  return *this;
}

ApiError& ApiError::with_internal(std::string message) {
  internal_ = std::move(message);
  return *this;
}

ApiError ApiError::bad_request(std::string code, std::string detail) {
  return {400, std::move(code), "Bad request", std::move(detail)};
}

ApiError ApiError::unauthenticated(std::string detail) {
  return {401, "unauthenticated", "Unauthenticated", std::move(detail)};
}

ApiError ApiError::forbidden(std::string detail) {
  return {403, "forbidden", "Forbidden", std::move(detail)};
}

ApiError ApiError::not_found(std::string detail) {
  return {404, "not_found", "Not found", std::move(detail)};
}

ApiError ApiError::conflict(std::string code, std::string detail) {
  return {409, std::move(code), "Conflict", std::move(detail)};
}

ApiError ApiError::unprocessable(std::string code, std::string detail,
                                 std::vector<FieldError> errors) {
  return {422, std::move(code), "Unprocessable request", std::move(detail), std::move(errors)};
}

ApiError ApiError::validation(std::vector<FieldError> errors) {
  return unprocessable("validation_failed", "Some fields are missing or invalid.",
                       std::move(errors));
}

ApiError ApiError::rate_limited(int retry_after_seconds) {
  ApiError error{429, "rate_limited", "Too many requests", "Slow down and try again later."};
  error.with_header("Retry-After", std::to_string(retry_after_seconds));
  return error;
}

ApiError ApiError::service_unavailable(std::string code, std::string detail,
                                       int retry_after_seconds) {
  ApiError error{503, std::move(code), "Service unavailable", std::move(detail)};
  error.with_header("Retry-After", std::to_string(retry_after_seconds));
  return error;
}

}  // namespace frontdoor::common
