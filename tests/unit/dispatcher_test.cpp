#include "frontdoor/http/dispatcher.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "frontdoor/common/error.hpp"

namespace frontdoor::http {
namespace {

Request with_target(std::string target) {
  Request request;
  request.target = std::move(target);
  return request;
}

TEST(ParseTarget, DecodesPathSegmentsAndQuery) {
  auto request = with_target("/v1/panel/directory?q=Jos%C3%A9&limit=5");
  parse_target(request);
  EXPECT_EQ(request.path, "/v1/panel/directory");
  EXPECT_EQ(request.query_param("q").value(), "José");
  EXPECT_EQ(request.query_param("limit").value(), "5");
}

TEST(ParseTarget, KeepsATrailingSlashDistinct) {
  auto request = with_target("/v1/calls/");
  parse_target(request);
  EXPECT_EQ(request.path, "/v1/calls/");
}

TEST(ParseTarget, RejectsEncodedSlashesAndAbsoluteForms) {
  for (const char* target : {"/v1/calls/a%2Fb", "http://evil.example/v1", "*", "/v1/%00"}) {
    auto request = with_target(target);
    try {
      parse_target(request);
      ADD_FAILURE() << "accepted " << target;
    } catch (const common::ApiError& error) {
      EXPECT_EQ(error.status(), 400) << target;
      EXPECT_EQ(error.code(), "invalid_target") << target;
    }
  }
}

TEST(RequestId, KeepsAWellFormedClientIdAndReplacesOthers) {
  Request request;
  request.headers = {{"x-request-id", "abc-123_x.y"}};
  EXPECT_EQ(choose_request_id(request), "abc-123_x.y");

  request.headers = {{"x-request-id", "has space"}};
  const auto replaced = choose_request_id(request);
  EXPECT_NE(replaced, "has space");
  EXPECT_EQ(replaced.size(), 32u);

  request.headers = {{"x-request-id", std::string(129, 'a')}};
  EXPECT_EQ(choose_request_id(request).size(), 32u);

  request.headers.clear();
  EXPECT_NE(choose_request_id(request), choose_request_id(request));
}

TEST(RequestId, GeneratedIdsAreHexAndDistinctAcrossThreads) {
  // Each thread has its own generator: two seeded alike would repeat each other.
  std::vector<std::string> ids[2];
  std::vector<std::thread> threads;
  for (auto& list : ids) {
    threads.emplace_back([&list] {
      for (int i = 0; i < 5000; ++i) list.push_back(choose_request_id(Request{}));
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> distinct;
  for (const auto& list : ids) {
    for (const auto& id : list) {
      ASSERT_EQ(id.size(), 32u);
      ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
      distinct.insert(id);
    }
  }
  EXPECT_EQ(distinct.size(), 10000u);
}

}  // namespace
}  // namespace frontdoor::http
