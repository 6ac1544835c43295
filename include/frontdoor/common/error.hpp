#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace frontdoor::common {

struct FieldError {
  std::string field;
  std::string code;
  std::string message;
};

// The one error type that reaches clients. `code` is stable and machine-readable;
// `detail` is safe to show; `internal` goes to the log only.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string title, std::string detail = {},
           std::vector<FieldError> errors = {});

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& title() const { return title_; }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& errors() const { return errors_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  const std::string& internal() const { return internal_; }
  // Extra members of the problem body (RFC 9457 extensions), e.g. authorize_url.
  const std::vector<std::pair<std::string, std::string>>& extensions() const { return extensions_; }

  ApiError& with_header(std::string name, std::string value);
  ApiError& with_internal(std::string message);
  ApiError& with_extension(std::string name, std::string value);

  static ApiError bad_request(std::string code, std::string detail);
  static ApiError unauthenticated(std::string detail = "Authentication is required.");
  static ApiError forbidden(std::string detail = "You may not do this.");
  static ApiError not_found(std::string detail = "Nothing is here.");
  static ApiError conflict(std::string code, std::string detail);
  static ApiError unprocessable(std::string code, std::string detail,
                                std::vector<FieldError> errors = {});
  static ApiError validation(std::vector<FieldError> errors);
  static ApiError rate_limited(int retry_after_seconds);
  static ApiError service_unavailable(std::string code, std::string detail,
                                      int retry_after_seconds);

 private:
  int status_;
  std::string code_;
  std::string title_;
  std::string detail_;
  std::vector<FieldError> errors_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string internal_;
  std::vector<std::pair<std::string, std::string>> extensions_;
};

}  // namespace frontdoor::common
