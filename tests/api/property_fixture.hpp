#pragma once

// What the tests of a property's own API share: a server, the world around it,
// one property ("oak"), and the fields a 422 names. The properties module's
// tests (properties_api_test.cpp) and the people module's (people_api_test.cpp)
// each derive their suite from it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/world.hpp"

namespace frontdoor::testing {

inline std::vector<std::string> error_fields(const HttpResponse& response) {
  std::vector<std::string> fields;
  const auto body = response.json();
  for (const auto& error : body["errors"]) fields.push_back(error["field"]);
  return fields;
}

class PropertyFixture : public ::testing::Test {
 protected:
  PropertyFixture() : world(server), property(world.property("oak")) {}

  HttpResponse post(const std::string& path, const nlohmann::json& body, const Account& who) {
    return world.client().post(path, body.dump(), who.auth());
  }
  HttpResponse patch_settings(const nlohmann::json& body, const Account& who) {
    return world.client().send("PATCH", "/v1/properties/" + property + "/settings", body.dump(),
                               who.auth());
  }
  std::string base() const { return "/v1/properties/" + property; }

  TestServer server;
  World world;
  std::string property;
};

}  // namespace frontdoor::testing
