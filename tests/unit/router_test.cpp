#include "frontdoor/http/router.hpp"

#include <gtest/gtest.h>

namespace frontdoor::http {
namespace {

Handler named(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

std::string run(const RouteMatch& match) {
  Request request;
  return match.route->handler(request).body;
}

TEST(Router, MatchesTemplatesAndCapturesParameters) {
  Router router;
  router.add("GET", "/v1/calls/{id}", named("call"));
  router.add("POST", "/v1/calls/{id}/accept", named("accept"));
  auto match = router.match("POST", "/v1/calls/abc-123/accept");
  ASSERT_EQ(match.kind, RouteMatch::Kind::found);
  EXPECT_EQ(run(match), "accept");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0].first, "id");
  EXPECT_EQ(match.params[0].second, "abc-123");
}

TEST(Router, PrefersLiteralSegmentsOverParameters) {
  Router router;
  router.add("GET", "/v1/{who}/visitors", named("param"));
  router.add("GET", "/v1/me/visitors", named("literal"));
  EXPECT_EQ(run(router.match("GET", "/v1/me/visitors")), "literal");
  EXPECT_EQ(run(router.match("GET", "/v1/x/visitors")), "param");
}

TEST(Router, UnknownPathIsNotFound) {
  Router router;
  router.add("GET", "/v1/calls/{id}", named("call"));
  EXPECT_EQ(router.match("GET", "/v1/call/1").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(router.match("GET", "/v1/calls/1/extra").kind, RouteMatch::Kind::not_found);
  // An empty segment never fills a parameter.
  EXPECT_EQ(router.match("GET", "/v1/calls/").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(router.match("GET", "").kind, RouteMatch::Kind::not_found);
}

TEST(Router, WrongMethodListsAllowedMethodsOfTheBestTemplate) {
  Router router;
  router.add("GET", "/v1/me/visitors", named("list"));
  router.add("POST", "/v1/me/visitors", named("create"));
  router.add("DELETE", "/v1/{who}/visitors", named("other"));
  auto match = router.match("PUT", "/v1/me/visitors");
  EXPECT_EQ(match.kind, RouteMatch::Kind::method_not_allowed);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
  // DELETE only exists on the less specific template: still 405 for /v1/me/visitors.
  EXPECT_EQ(router.match("DELETE", "/v1/me/visitors").kind, RouteMatch::Kind::method_not_allowed);
}

TEST(Router, RejectsDuplicateAndMalformedTemplates) {
  Router router;
  router.add("GET", "/v1/calls/{id}", named("a"));
  EXPECT_THROW(router.add("GET", "/v1/calls/{other}", named("b")), std::logic_error);
  EXPECT_THROW(router.add("GET", "v1/calls", named("c")), std::logic_error);
}

}  // namespace
}  // namespace frontdoor::http
