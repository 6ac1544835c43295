#include "frontdoor/bmx/client.hpp"

namespace frontdoor::bmx {
namespace {

// The answer a client gets when a BMX failure is not handled by the service.
int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::timeout:
      return 504;
    case ErrorKind::unavailable:
    case ErrorKind::rate_limited:
      return 503;
    default:
      return 502;
  }
}

std::string code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::timeout:
      return "bmx_timeout";
    case ErrorKind::unavailable:
    case ErrorKind::rate_limited:
      return "bmx_unavailable";
    default:
      return "bmx_error";
  }
}

std::string title_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::timeout:
      return "ButterflyMX did not answer in time";
    case ErrorKind::unavailable:
    case ErrorKind::rate_limited:
      return "ButterflyMX is unavailable";
    default:
      return "ButterflyMX refused the request";
  }
}

}  // namespace

bool is_transient(ErrorKind kind) {
  return kind == ErrorKind::unavailable || kind == ErrorKind::timeout ||
         kind == ErrorKind::rate_limited;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::unauthorized:
      return "unauthorized";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::rejected:
      return "rejected";
    case ErrorKind::rate_limited:
      return "rate_limited";
    case ErrorKind::unavailable:
      return "unavailable";
    case ErrorKind::timeout:
      return "timeout";
  }
  return "unknown";
}

BmxError::BmxError(ErrorKind kind, std::string operation, int bmx_status, std::string detail,
                   std::vector<common::FieldError> bmx_errors, std::string request_id)
    : common::ApiError(status_for(kind), code_for(kind), title_for(kind), std::move(detail)),
      kind_(kind),
      operation_(std::move(operation)),
      bmx_status_(bmx_status),
      bmx_errors_(std::move(bmx_errors)),
      request_id_(std::move(request_id)) {
  if (kind == ErrorKind::unavailable || kind == ErrorKind::rate_limited) {
    with_header("Retry-After", "30");
  }
  with_internal("bmx " + operation_ + " " + bmx::to_string(kind) + " status " +
                std::to_string(bmx_status) + " request " + request_id_);
}

}  // namespace frontdoor::bmx
