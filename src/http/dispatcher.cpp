#include "frontdoor/http/dispatcher.hpp"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/http/async_route.hpp"
#include "frontdoor/http/problem.hpp"

namespace frontdoor::http {
namespace {

constexpr std::size_t kMaxRequestIdLength = 128;
// Labels for requests that matched no route keep /metrics cardinality bounded.
const std::string kUnmatchedRoute = "unmatched";
const std::string kRejectedRoute = "rejected";

bool is_request_id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

// Request ids must be unique, not secret: a per-thread generator seeded from
// OpenSSL once. RAND_bytes on every request cost a getpid() system call each
// (its fork check), a measurable share of /healthz.
std::string new_request_id() {
  thread_local std::mt19937_64 generator = [] {
    std::seed_seq seed{std::stoull(common::random_hex(8), nullptr, 16),
                       std::stoull(common::random_hex(8), nullptr, 16)};
    return std::mt19937_64(seed);
  }();
  char id[33];
  std::snprintf(id, sizeof id, "%016llx%016llx", static_cast<unsigned long long>(generator()),
                static_cast<unsigned long long>(generator()));
  return id;
}

// Answers carry tokens, PINs, pass links and people's details: no cache, shared or
// private, may keep them (RFC 9111 5.2.2.5; RFC 6749 5.1 for token answers). A
// handler that knows its answer may be kept says so with its own Cache-Control.
void forbid_caching_unless_said(Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (name.size() == 13 && boost::algorithm::iequals(name, "cache-control")) return;
  }
  response.set_header("Cache-Control", "no-store");
  response.set_header("Pragma", "no-cache");
}

common::ApiError invalid_target() {
  return common::ApiError::bad_request("invalid_target", "The request target is not a valid path.");
}

}  // namespace

std::string choose_request_id(const Request& request) {
  if (auto given = request.header("x-request-id")) {
    if (!given->empty() && given->size() <= kMaxRequestIdLength &&
        std::all_of(given->begin(), given->end(), is_request_id_char)) {
      return std::string(*given);
    }
  }
  return new_request_id();
}

void parse_target(Request& request) {
  auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) throw invalid_target();
  const boost::urls::url_view url = *parsed;
  std::string path;
  for (auto segment : url.segments()) {
    // A decoded '/' would change which route matches, and '\0' has no business in a path.
    if (segment.find('/') != std::string::npos || segment.find('\0') != std::string::npos) {
      throw invalid_target();
    }
    path += '/';
    path += segment;
  }
  // Boost.URL keeps a trailing slash as an empty last segment, so "/v1/calls/"
  // stays distinct from "/v1/calls".
  if (path.empty()) path.push_back('/');
  request.path = std::move(path);
  request.query.clear();
  for (auto param : url.params()) {
    request.query.emplace_back(std::string(param.key), std::string(param.value));
  }
}

Dispatcher::Dispatcher(const Router& router, Metrics& metrics)
    : router_(router), metrics_(metrics) {}

void Dispatcher::route(Request& request) const {
  if (request.route != nullptr) return;
  parse_target(request);
  // HEAD is GET without the body (the session leaves the body out).
  auto match = router_.match(request.method == "HEAD" ? "GET" : request.method, request.path);
  switch (match.kind) {
    case RouteMatch::Kind::not_found:
      throw common::ApiError::not_found("No resource lives at this path.");
    case RouteMatch::Kind::method_not_allowed: {
      auto methods = match.allowed_methods;
      if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) {
        methods.emplace_back("HEAD");
        std::sort(methods.begin(), methods.end());
      }
      std::string allow;
      for (const auto& method : methods) allow += (allow.empty() ? "" : ", ") + method;
      common::ApiError error{405, "method_not_allowed", "Method not allowed",
                             "This path accepts: " + allow + "."};
      error.with_header("Allow", allow);
      throw error;
    }
    case RouteMatch::Kind::found:
      break;
  }
  request.path_params = std::move(match.params);
  request.route = match.route;
}

bool Dispatcher::never_blocks(Request& request) const {
  try {
    route(request);
  } catch (...) {
    return true;  // handle() answers with the routing error
  }
  return request.route->blocking == Blocking::never;
}

bool Dispatcher::is_async(Request& request) const {
  try {
    route(request);
  } catch (...) {
    return false;
  }
  return request.route->blocking == Blocking::asynchronous;
}

boost::asio::awaitable<Response> Dispatcher::handle_async(Request& request) {
  request.request_id = choose_request_id(request);
  std::string route_label = kUnmatchedRoute;
  Response response;
  std::exception_ptr failure;
  try {
    route(request);
    route_label = request.route->pattern;
    response = co_await request.route->async->handler(request);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) response = response_for_exception(failure, request);
  forbid_caching_unless_said(response);
  finish(request, route_label, response);
  co_return response;
}

Response Dispatcher::handle(Request& request) {
  request.request_id = choose_request_id(request);
  std::string route_label = kUnmatchedRoute;
  Response response;
  try {
    route(request);
    route_label = request.route->pattern;
    response = request.route->handler(request);
  } catch (...) {
    response = response_for_exception(std::current_exception(), request);
  }
  forbid_caching_unless_said(response);
  finish(request, route_label, response);
  return response;
}

Response Dispatcher::reject(Request& request, int status) {
  request.request_id = choose_request_id(request);
  common::ApiError error = [status] {
    switch (status) {
      case 408:
        return common::ApiError{408, "request_timeout", "Request timeout",
                                "The request did not arrive in time."};
      case 413:
        return common::ApiError{413, "payload_too_large", "Payload too large",
                                "The request body is larger than this server accepts."};
      case 431:
        return common::ApiError{431, "headers_too_large", "Request header fields too large",
                                "The request headers are larger than this server accepts."};
      default:
        return common::ApiError::bad_request(
            "malformed_request",
            "The request is not well-formed HTTP/1.1: check its syntax, that it has exactly one "
            "Host, and that its body is framed by Content-Length or by chunked alone.");
    }
  }();
  auto response = problem_response(error, request.request_id);
  forbid_caching_unless_said(response);
  finish(request, kRejectedRoute, response);
  return response;
}

void Dispatcher::finish(const Request& request, const std::string& route,
                        const Response& response) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - request.received_at).count();
  // Clients choose method names; only known ones become metric labels.
  static const std::vector<std::string> kKnownMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                         "PATCH", "DELETE", "OPTIONS"};
  const bool known =
      std::find(kKnownMethods.begin(), kKnownMethods.end(), request.method) != kKnownMethods.end();
  const std::string method = known ? request.method : "other";
  metrics_.observe_request(method, route, response.status, seconds);
  if (!common::log::enabled(common::log::Level::info)) return;
  // Route template only: paths can carry pass tokens and webhook secrets.
  common::log::info("request", {{"method", method},
                                {"route", route},
                                {"status", response.status},
                                {"duration_ms", seconds * 1000.0},
                                {"request_id", request.request_id},
                                {"remote", request.remote_address}});
}

}  // namespace frontdoor::http
