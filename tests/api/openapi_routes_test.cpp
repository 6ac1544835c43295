// The OpenAPI document is the complete reference: every route the server
// answers is in it, and nothing in it is missing from the server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "../support/test_server.hpp"
#include "frontdoor/ops/routes.hpp"

namespace frontdoor {
namespace {

std::set<std::string> documented_operations() {
  auto document = nlohmann::json::parse(ops::openapi_document());
  std::set<std::string> operations;
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      std::string upper;
      for (char c : method) upper.push_back(static_cast<char>(std::toupper(c)));
      operations.insert(upper + " " + path);
    }
  }
  return operations;
}

TEST(OpenApi, DocumentIsOpenApi31) {
  auto document = nlohmann::json::parse(ops::openapi_document());
  EXPECT_EQ(document.at("openapi"), "3.1.0");
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  testing::TestServer server;
  std::set<std::string> routed;
  for (const auto& route : server.app().router().routes()) {
    routed.insert(route.method + " " + route.pattern);
  }
  const auto documented = documented_operations();
  for (const auto& operation : routed) {
    EXPECT_TRUE(documented.count(operation)) << "route missing from openapi.json: " << operation;
  }
  for (const auto& operation : documented) {
    EXPECT_TRUE(routed.count(operation)) << "documented but not routed: " << operation;
  }
}

TEST(OpenApi, ServedDocumentIsTheCheckedInOne) {
  testing::TestServer server;
  auto response = server.client().get("/openapi.json");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_EQ(response.json(), nlohmann::json::parse(ops::openapi_document()));
}

}  // namespace
}  // namespace frontdoor
