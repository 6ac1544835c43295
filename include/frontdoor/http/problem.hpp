#pragma once

#include <exception>
#include <string_view>

#include "frontdoor/common/error.hpp"
#include "frontdoor/http/message.hpp"

namespace frontdoor::http {

// RFC 9457 application/problem+json for an ApiError.
Response problem_response(const common::ApiError& error, std::string_view request_id);

// The single place where any exception becomes a response. Unknown failures are
// logged with the request id and answered with a generic 500: no library or
// database message ever reaches a client.
Response response_for_exception(std::exception_ptr failure, const Request& request);

}  // namespace frontdoor::http
