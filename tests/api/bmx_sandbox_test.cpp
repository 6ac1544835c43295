// bmx-sandbox over real HTTP: OAuth as NOTES.md describes it, the v4 resources
// frontdoor reads, and conformance with the examples of the published OpenAPI file.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <stdexcept>

#include "../support/http_client.hpp"
#include "frontdoor/http/dispatcher.hpp"
#include "frontdoor/http/server.hpp"
#include "sandbox.hpp"

namespace {

using frontdoor::testing::HttpClient;
using frontdoor::testing::HttpResponse;

class SandboxApi : public ::testing::Test {
 protected:
  SandboxApi()
      : sandbox({"frontdoor", "sandbox-secret"}),
        dispatcher(router, metrics),
        server({}, {[this](frontdoor::http::Request& r) { return dispatcher.handle(r); },
                    [this](frontdoor::http::Request& r, int status) {
                      return dispatcher.reject(r, status);
                    }}) {
    sandbox.add_routes(router);
    server.start();
  }

  HttpClient client() { return HttpClient(server.port()); }

  HttpResponse token(const std::string& form) {
    return client().post("/oauth/token", form,
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  std::string code_for(const std::string& email) {
    return client()
        .post("/_sandbox/oauth/codes", nlohmann::json{{"email", email}}.dump())
        .json()["code"];
  }

  nlohmann::json seed() {
    auto response = client().post("/_sandbox/buildings", R"({
      "name": "Maple Court", "time_zone": "America/New_York",
      "units": [
        {"label": "101", "floor": "1", "tenants": [
          {"first_name": "Ana", "last_name": "Garcia", "email": "Ana@Example.com",
           "contact_preference": "mobile_app"}]},
        {"label": "201", "floor": "2", "tenants": [
          {"first_name": "Chloe", "last_name": "Martin", "email": "chloe@example.com",
           "contact_preference": "phone_call"}]}]})");
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json();
  }

  std::string access_token() {
    return token(
               "grant_type=authorization_code&client_id=frontdoor&client_secret=sandbox-secret"
               "&code=" +
               code_for("admin@example.com"))
        .json()["access_token"];
  }

  HttpClient::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  bmx_sandbox::Sandbox sandbox;
  frontdoor::http::Router router;
  frontdoor::http::Metrics metrics;
  frontdoor::http::Dispatcher dispatcher;
  frontdoor::http::Server server;
};

// The field names of an example, recursively ("unit.label", "page_info.next_page").
void collect_keys(const YAML::Node& node, const std::string& prefix, std::set<std::string>& keys) {
  if (!node.IsMap()) return;
  for (const auto& item : node) {
    const auto key = prefix + item.first.as<std::string>();
    keys.insert(key);
    collect_keys(item.second, key + ".", keys);
  }
}

void collect_keys(const nlohmann::json& node, const std::string& prefix,
                  std::set<std::string>& keys) {
  if (!node.is_object()) return;
  for (const auto& [name, value] : node.items()) {
    keys.insert(prefix + name);
    collect_keys(value, prefix + name + ".", keys);
  }
}

const YAML::Node& published_spec() {
  static const YAML::Node spec = [] {
    const std::string path = BMX_OPENAPI_FILE;
    if (!std::ifstream(path)) {
      throw std::runtime_error("the published BMX OpenAPI file is expected at " + path +
                               " (shared/ beside the repository, as sessions and CI lay it)");
    }
    return YAML::LoadFile(path);
  }();
  return spec;
}

YAML::Node example(const std::string& path, const std::string& status) {
  const auto examples = published_spec()["paths"][path]["get"]["responses"][status]["content"]
                                        ["application/json"]["examples"];
  return examples.begin()->second["value"];
}

TEST_F(SandboxApi, AuthorizationCodesWorkOnceAndRefreshTokensRotate) {
  const std::string client = "client_id=frontdoor&client_secret=sandbox-secret";
  const auto code = code_for("admin@example.com");
  auto first = token("grant_type=authorization_code&code=" + code + "&" + client);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["token_type"], "Bearer");
  EXPECT_EQ(first.json()["expires_in"], 86400);
  EXPECT_EQ(first.json()["scope"], "public");
  EXPECT_TRUE(first.json()["created_at"].is_number_integer());
  EXPECT_EQ(token("grant_type=authorization_code&code=" + code + "&" + client).json()["error"],
            "invalid_grant");

  const std::string refresh = first.json()["refresh_token"];
  auto second = token("grant_type=refresh_token&refresh_token=" + refresh + "&" + client);
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(second.json()["refresh_token"], refresh);
  // The old refresh token stopped working: 401, the link is gone.
  EXPECT_EQ(token("grant_type=refresh_token&refresh_token=" + refresh + "&" + client).status, 401);

  EXPECT_EQ(
      token("grant_type=refresh_token&client_id=frontdoor&client_secret=wrong").json()["error"],
      "invalid_client");
  EXPECT_EQ(token("grant_type=password&" + client).json()["error"], "unsupported_grant_type");
}

TEST_F(SandboxApi, V4RoutesNeedAValidBearerToken) {
  auto response = client().get("/v4/buildings");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json()["errors"][0]["code"], "unauthorized");
  EXPECT_EQ(client().get("/v4/tenants", bearer("made-up")).status, 401);
  EXPECT_EQ(client().get("/v4/tenants", bearer(access_token())).status, 200);
}

TEST_F(SandboxApi, TenantsAreFoundByEmailWithTheirContactPreference) {
  const auto building = seed();
  const auto token = access_token();
  auto found = client().get("/v4/tenants?q%5Bemail_eq%5D=ana%40example.com", bearer(token)).json();
  ASSERT_EQ(found["data"].size(), 1u);
  EXPECT_EQ(found["data"][0]["first_name"], "Ana");
  EXPECT_EQ(found["data"][0]["building_id"], building["id"]);
  EXPECT_EQ(found["data"][0]["contact_preference"], "mobile_app");
  EXPECT_EQ(found["data"][0]["unit"]["label"], "101");

  auto paged = client().get("/v4/tenants?per=1&page=2", bearer(token)).json();
  ASSERT_EQ(paged["data"].size(), 1u);
  EXPECT_EQ(paged["data"][0]["contact_preference"], "phone_call");
  EXPECT_EQ(paged["page_info"]["total_item_count"], 2);
  EXPECT_EQ(paged["page_info"]["prev_page"], 1);
  EXPECT_TRUE(paged["page_info"]["next_page"].is_null());
  EXPECT_EQ(paged["page_info"]["last_page"], true);

  auto one = client().get("/v4/buildings/" + std::to_string(building["id"].get<long long>()),
                          bearer(token));
  EXPECT_EQ(one.json()["data"]["name"], "Maple Court");
  EXPECT_EQ(client().get("/v4/buildings/1", bearer(token)).status, 404);
}

TEST_F(SandboxApi, ResponsesHaveTheFieldsOfThePublishedExamples) {
  seed();
  const auto token = access_token();
  for (const std::string path : {"/v4/buildings", "/v4/tenants"}) {
    std::set<std::string> expected, actual;
    const auto documented = example(path, "200");
    collect_keys(documented["data"][0], "data.", expected);
    collect_keys(documented["page_info"], "page_info.", expected);
    const auto ours = client().get(path, bearer(token)).json();
    collect_keys(ours["data"][0], "data.", actual);
    collect_keys(ours["page_info"], "page_info.", actual);
    EXPECT_EQ(actual, expected) << path;
  }
  std::set<std::string> expected, actual;
  collect_keys(example("/v4/buildings", "401")["errors"][0], "", expected);
  collect_keys(client().get("/v4/buildings").json()["errors"][0], "", actual);
  EXPECT_EQ(actual, expected);
}

TEST_F(SandboxApi, RequestsAreRecordedAndResetClearsEverything) {
  seed();
  const auto token = access_token();
  client().get("/v4/tenants", bearer(token));
  auto requests = client().get("/_sandbox/requests").json()["data"];
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["path"], "/oauth/token");
  EXPECT_EQ(requests[1]["path"], "/v4/tenants");
  EXPECT_EQ(client().post("/_sandbox/reset", "").status, 204);
  EXPECT_TRUE(client().get("/_sandbox/requests").json()["data"].empty());
  EXPECT_EQ(client().get("/v4/tenants", bearer(token)).status, 401);
}

}  // namespace
