#include "frontdoor/http/problem.hpp"

#include <nlohmann/json.hpp>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/errors.hpp"

namespace frontdoor::http {

Response problem_response(const common::ApiError& error, std::string_view request_id) {
  nlohmann::json body{
      {"type", "about:blank"},    {"title", error.title()}, {"status", error.status()},
      {"detail", error.detail()}, {"code", error.code()},   {"request_id", request_id},
  };
  for (const auto& [name, value] : error.extensions()) body[name] = value;
  auto& errors = body["errors"] = nlohmann::json::array();
  for (const auto& field_error : error.errors()) {
    errors.push_back({{"field", field_error.field},
                      {"code", field_error.code},
                      {"message", field_error.message}});
  }
  Response response;
  response.status = error.status();
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (const auto& [name, value] : error.headers()) response.set_header(name, value);
  return response;
}

Response response_for_exception(std::exception_ptr failure, const Request& request) {
  try {
    std::rethrow_exception(std::move(failure));
  } catch (const common::ApiError& error) {
    if (!error.internal().empty()) {
      common::log::warn("request failed", {{"request_id", request.request_id},
                                           {"code", error.code()},
                                           {"internal", error.internal()}});
    }
    return problem_response(error, request.request_id);
  } catch (const std::exception& error) {
    if (auto mapped = db::to_api_error(error)) {
      common::log::warn("database error", {{"request_id", request.request_id},
                                           {"code", mapped->code()},
                                           {"internal", error.what()}});
      return problem_response(*mapped, request.request_id);
    }
    common::log::error("unhandled error",
                       {{"request_id", request.request_id}, {"internal", error.what()}});
  } catch (...) {
    common::log::error("unhandled non-standard error", {{"request_id", request.request_id}});
  }
  return problem_response(
      common::ApiError{500, "internal_error", "Internal server error",
                       "Something went wrong on our side. Quote the request id when asking "
                       "for help."},
      request.request_id);
}

}  // namespace frontdoor::http
