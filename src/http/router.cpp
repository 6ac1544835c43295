#include "frontdoor/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace frontdoor::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_parameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills params and returns true when every segment matches.
bool match_segments(const Route& route, const std::vector<std::string>& path_segments,
                    std::vector<std::pair<std::string, std::string>>& params) {
  if (route.segments.size() != path_segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& expected = route.segments[i];
    if (is_parameter(expected)) {
      // An empty segment ("/v1/calls/") never fills a parameter.
      if (path_segments[i].empty()) return false;
      params.emplace_back(expected.substr(1, expected.size() - 2), path_segments[i]);
    } else if (expected != path_segments[i]) {
      return false;
    }
  }
  return true;
}

// "/v1/calls/{id}" and "/v1/calls/{call}" would match exactly the same paths.
bool same_shape(const Route& a, const Route& b) {
  if (a.segments.size() != b.segments.size()) return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const bool both_parameters = is_parameter(a.segments[i]) && is_parameter(b.segments[i]);
    if (!both_parameters && a.segments[i] != b.segments[i]) return false;
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, Blocking blocking) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::logic_error("route template must start with '/': " + pattern);
  }
  Route route{std::move(method), std::move(pattern), std::move(handler), {}, 0, blocking};
  route.segments = split_path(route.pattern);
  for (const auto& segment : route.segments) {
    if (!is_parameter(segment)) ++route.literal_segments;
  }
  for (const auto& existing : routes_) {
    if (existing.method == route.method && same_shape(existing, route)) {
      throw std::logic_error("duplicate route: " + route.method + " " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
}

void Router::add(std::string method, std::string pattern, std::shared_ptr<const AsyncRoute> route) {
  add(std::move(method), std::move(pattern), nullptr, Blocking::asynchronous);
  routes_.back().async = std::move(route);
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  if (path.empty() || path.front() != '/') return result;
  const auto path_segments = split_path(path);
  std::vector<std::pair<std::string, std::string>> params;
  int best_method_score = -1;
  int best_any_score = -1;
  for (const auto& route : routes_) {
    if (!match_segments(route, path_segments, params)) continue;
    // The path is known; remember which template fits best regardless of method,
    // so that 405's Allow lists the methods of that template only.
    if (route.literal_segments > best_any_score) {
      best_any_score = route.literal_segments;
      result.allowed_methods.clear();
    }
    if (route.literal_segments == best_any_score) result.allowed_methods.push_back(route.method);
    if (route.method == method && route.literal_segments > best_method_score) {
      best_method_score = route.literal_segments;
      result.route = &route;
      result.params = params;
    }
  }
  if (result.route != nullptr && best_method_score == best_any_score) {
    result.kind = RouteMatch::Kind::found;
    result.allowed_methods.clear();
  } else if (best_any_score >= 0) {
    result.kind = RouteMatch::Kind::method_not_allowed;
    result.route = nullptr;
    result.params.clear();
    std::sort(result.allowed_methods.begin(), result.allowed_methods.end());
  }
  return result;
}

}  // namespace frontdoor::http
