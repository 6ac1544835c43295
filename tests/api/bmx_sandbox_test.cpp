// bmx-sandbox over real HTTP (the real executable): OAuth as NOTES.md describes
// it, the v4 resources frontdoor uses, the control routes, and conformance with
// the examples of the published OpenAPI file for every operation it implements.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#include "../support/http_client.hpp"
#include "../support/sandbox_process.hpp"
#include "frontdoor/common/time.hpp"
#include "sandbox.hpp"

namespace {

using frontdoor::testing::HttpClient;
using frontdoor::testing::HttpResponse;
using frontdoor::testing::SandboxProcess;

const std::string kClient = "client_id=frontdoor&client_secret=sandbox-secret";

std::string in_hours(int hours) {
  return frontdoor::common::to_rfc3339(std::chrono::system_clock::now() +
                                       std::chrono::hours(hours));
}

std::string in_minutes(int minutes) {
  return frontdoor::common::to_rfc3339(std::chrono::system_clock::now() +
                                       std::chrono::minutes(minutes));
}

class SandboxApi : public ::testing::Test {
 protected:
  SandboxApi() : sandbox(SandboxProcess::shared()) { sandbox.reset(); }

  HttpClient client() { return sandbox.client(); }

  HttpResponse token(const std::string& form) {
    return client().post("/oauth/token", form,
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  nlohmann::json seed() {
    building = sandbox.seed_building(nlohmann::json::parse(R"({
      "name": "Maple Court", "time_zone": "America/New_York", "admins": ["admin@example.com"],
      "units": [
        {"label": "101", "floor": "1", "tenants": [
          {"first_name": "Ana", "last_name": "Garcia", "email": "Ana@Example.com",
           "contact_preference": "mobile_app"}]},
        {"label": "201", "floor": "2", "tenants": [
          {"first_name": "Chloe", "last_name": "Martin", "email": "chloe@example.com",
           "contact_preference": "phone_call"}]}]})"));
    return building;
  }

  std::string access_token(const std::string& email = "admin@example.com") {
    return token("grant_type=authorization_code&" + kClient + "&code=" + sandbox.code_for(email))
        .json()["access_token"];
  }

  HttpClient::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  std::string id(const char* pointer) {
    return std::to_string(building[nlohmann::json::json_pointer(pointer)].get<long long>());
  }

  HttpResponse post(const std::string& path, const nlohmann::json& body, const std::string& token) {
    return client().post(
        path, body.dump(),
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  nlohmann::json custom_keychain(const std::string& token, const nlohmann::json& recipients) {
    auto response = post("/v4/keychains/custom",
                         {{"keychain",
                           {{"name", "Game night"},
                            {"tenant_id", building["units"][0]["tenants"][0]["id"]},
                            {"starts_at", in_hours(-1)},
                            {"ends_at", in_hours(3)},
                            {"recipients", recipients}}}},
                         token);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json()["data"];
  }

  // An integration that posts call.create to an address that answers 404.
  nlohmann::json call_webhook() {
    return {
        {"data",
         {{"type", "integrations"},
          {"attributes",
           {{"integrator", "webhook"},
            {"configuration", {{"url", sandbox.url() + "/_sandbox/nowhere"}, {"method", "post"}}},
            {"bindings", {{{"resource_type", "call"}, {"actions", {"create"}}}}}}}}}};
  }

  SandboxProcess& sandbox;
  nlohmann::json building;
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
                               " (third_party/butterflymx in the repository)");
    }
    return YAML::LoadFile(path);
  }();
  return spec;
}

// The first documented example (or the one named) of an operation's response.
YAML::Node example(const std::string& method, const std::string& path, const std::string& status,
                   const std::string& name = "") {
  const auto examples = published_spec()["paths"][path][method]["responses"][status]["content"]
                                        ["application/json"]["examples"];
  if (!examples) throw std::runtime_error("no example for " + method + " " + path + " " + status);
  return name.empty() ? examples.begin()->second["value"] : examples[name]["value"];
}

// Our response has exactly the fields of the published example: for a list, its
// first item and page_info; for an error, the fields of its first error.
void expect_conforms(const HttpResponse& response, const std::string& method,
                     const std::string& path, const std::string& status,
                     const std::string& name = "") {
  ASSERT_EQ(std::to_string(response.status), status) << method << " " << path << response.body;
  const auto documented = example(method, path, status, name);
  const auto ours = response.json();
  std::set<std::string> expected, actual;
  if (documented["errors"]) {
    collect_keys(documented["errors"][0], "", expected);
    collect_keys(ours["errors"][0], "", actual);
  } else if (documented["data"].IsSequence()) {
    ASSERT_FALSE(ours["data"].empty()) << method << " " << path;
    collect_keys(documented["data"][0], "data.", expected);
    collect_keys(documented["page_info"], "page_info.", expected);
    collect_keys(ours["data"][0], "data.", actual);
    collect_keys(ours["page_info"], "page_info.", actual);
  } else {
    collect_keys(documented["data"], "data.", expected);
    collect_keys(ours["data"], "data.", actual);
  }
  EXPECT_EQ(actual, expected) << method << " " << path << " " << status;
}

TEST_F(SandboxApi, AuthorizationCodesWorkOnceAndRefreshTokensRotate) {
  seed();
  const auto code = sandbox.code_for("admin@example.com");
  auto first = token("grant_type=authorization_code&code=" + code + "&" + kClient);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["token_type"], "Bearer");
  EXPECT_EQ(first.json()["expires_in"], 86400);
  EXPECT_EQ(first.json()["scope"], "public");
  EXPECT_TRUE(first.json()["created_at"].is_number_integer());
  EXPECT_EQ(token("grant_type=authorization_code&code=" + code + "&" + kClient).json()["error"],
            "invalid_grant");

  const std::string refresh = first.json()["refresh_token"];
  auto second = token("grant_type=refresh_token&refresh_token=" + refresh + "&" + kClient);
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(second.json()["refresh_token"], refresh);
  // The old refresh token stopped working: 401, the link is gone.
  EXPECT_EQ(token("grant_type=refresh_token&refresh_token=" + refresh + "&" + kClient).status, 401);

  EXPECT_EQ(
      token("grant_type=refresh_token&client_id=frontdoor&client_secret=wrong").json()["error"],
      "invalid_client");
  EXPECT_EQ(token("grant_type=password&" + kClient).json()["error"], "unsupported_grant_type");
}

TEST_F(SandboxApi, AuthorizePageSignsInAKnownUserAndRedirectsWithCodeAndState) {
  seed();
  auto page = client().get(
      "/oauth/authorize?client_id=frontdoor&response_type=code&state=s%201"
      "&redirect_uri=http%3A%2F%2Fapp.test%2Fcb");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<form"), std::string::npos);
  EXPECT_NE(page.body.find("value=\"s 1\""), std::string::npos);
  EXPECT_EQ(
      client().get("/oauth/authorize?client_id=other&response_type=code&redirect_uri=x").status,
      400);

  const HttpClient::Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  auto unknown = client().post("/oauth/authorize",
                               "client_id=frontdoor&redirect_uri=http%3A%2F%2Fapp.test%2Fcb"
                               "&state=s&email=nobody%40example.com",
                               form);
  EXPECT_EQ(unknown.status, 422);

  auto signed_in = client().post("/oauth/authorize",
                                 "client_id=frontdoor&redirect_uri=http%3A%2F%2Fapp.test%2Fcb"
                                 "&state=s+1&email=ana%40example.com&password=x",
                                 form);
  ASSERT_EQ(signed_in.status, 302) << signed_in.body;
  const auto location = signed_in.header("location");
  EXPECT_EQ(location.rfind("http://app.test/cb?code=", 0), 0u) << location;
  EXPECT_NE(location.find("state=s%201"), std::string::npos) << location;
  const auto code = location.substr(24, location.find('&') - 24);
  EXPECT_EQ(token("grant_type=authorization_code&code=" + code + "&" + kClient).status, 200);
}

TEST_F(SandboxApi, V4RoutesNeedAValidBearerTokenAndExpiredTokensStopWorking) {
  seed();
  auto response = client().get("/v4/buildings");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json()["errors"][0]["code"], "unauthorized");
  EXPECT_EQ(client().get("/v4/tenants", bearer("made-up")).status, 401);
  const auto token = access_token();
  EXPECT_EQ(client().get("/v4/tenants", bearer(token)).status, 200);
  EXPECT_EQ(client().post("/_sandbox/oauth/expire", "").json()["expired"], 1);
  EXPECT_EQ(client().get("/v4/tenants", bearer(token)).status, 401);
}

TEST_F(SandboxApi, TenantsAreFoundByEmailAndSeeOnlyThemselves) {
  seed();
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

  // A tenant's own token sees their record only; a stranger's sees no building.
  auto own = client().get("/v4/tenants", bearer(access_token("chloe@example.com"))).json();
  ASSERT_EQ(own["data"].size(), 1u);
  EXPECT_EQ(own["data"][0]["first_name"], "Chloe");
  EXPECT_EQ(
      client().get("/v4/buildings/" + id("/id"), bearer(access_token("x@example.com"))).status,
      404);

  auto changed = client().send("PATCH", "/_sandbox/tenants/" + id("/units/1/tenants/0/id"),
                               R"({"contact_preference":"mobile_app"})",
                               {{"Content-Type", "application/json"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(client()
                .get("/v4/tenants/" + id("/units/1/tenants/0/id"), bearer(token))
                .json()["data"]["contact_preference"],
            "mobile_app");
}

TEST_F(SandboxApi, KeychainsRefuseBadWindowsWithBmxCodes) {
  seed();
  const auto token = access_token();
  auto backwards = post("/v4/keychains/custom",
                        {{"keychain",
                          {{"name", "x"},
                           {"tenant_id", building["units"][0]["tenants"][0]["id"]},
                           {"starts_at", in_hours(5)},
                           {"ends_at", in_hours(1)}}}},
                        token);
  ASSERT_EQ(backwards.status, 422);
  EXPECT_EQ(backwards.json()["errors"][0]["code"], "start_time_must_be_before_the_end_time");
  EXPECT_EQ(backwards.json()["errors"][1]["code"], "end_time_must_be_after_the_start_time");

  auto stranger = post(
      "/v4/keychains/custom",
      {{"keychain",
        {{"name", "x"}, {"tenant_id", -1}, {"starts_at", in_hours(1)}, {"ends_at", in_hours(2)}}}},
      token);
  EXPECT_EQ(stranger.status, 422);
  EXPECT_EQ(stranger.json()["errors"][1]["code"], "must_have_an_associated_unit_or_tenant");
  EXPECT_EQ(post("/v4/keychains/custom", nlohmann::json::object(), token).status, 422);
  auto unknown_key = post("/v4/keychains/custom",
                          {{"keychain",
                            {{"name", "x"},
                             {"tenant_id", building["units"][0]["tenants"][0]["id"]},
                             {"starts_at", in_hours(1)},
                             {"ends_at", in_hours(2)},
                             {"colour", "red"}}}},
                          token);
  EXPECT_EQ(unknown_key.json()["errors"][0]["code"], "unpermitted_parameter");
}

TEST_F(SandboxApi, VirtualKeysAreSentByBmxAndScannedAtThePanel) {
  seed();
  const auto token = access_token();
  auto keychain = custom_keychain(token, nlohmann::json::array());
  EXPECT_TRUE(keychain["virtual_key_ids"].empty());
  auto created = post(
      "/v4/virtual_keys",
      {{"keychain_id", keychain["id"]}, {"name", "Guest"}, {"sms_number", "+15550001111"}}, token);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto key = created.json()["data"];
  EXPECT_FALSE(key["sent_at"].is_null());

  auto sms = sandbox.messages("sms", "+15550001111");
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0]["data"]["virtual_key_id"], key["id"]);
  const std::string payload = sms[0]["data"]["qr_payload"];
  EXPECT_EQ(client().get(key["qr_code_url"].get<std::string>().substr(sandbox.url().size())).body,
            payload);

  const auto device = id("/devices/0/id");
  auto scan = client().post("/_sandbox/panels/" + device + "/scans",
                            nlohmann::json{{"code", payload}}.dump());
  EXPECT_EQ(scan.json()["granted"], true) << scan.body;
  EXPECT_EQ(
      client()
          .get("/v4/virtual_keys/" + std::to_string(key["id"].get<long long>()), bearer(token))
          .json()["data"]["usage_count"],
      1);
  auto pin_scan = client().post("/_sandbox/panels/" + device + "/scans",
                                nlohmann::json{{"code", key["pin_code"]}}.dump());
  EXPECT_EQ(pin_scan.json()["granted"], true);

  // A revoked key opens nothing.
  EXPECT_EQ(client()
                .send("DELETE", "/v4/virtual_keys/" + std::to_string(key["id"].get<long long>()),
                      "", bearer(token))
                .status,
            204);
  auto revoked = client().post("/_sandbox/panels/" + device + "/scans",
                               nlohmann::json{{"code", payload}}.dump());
  EXPECT_EQ(revoked.json()["granted"], false);
  EXPECT_EQ(revoked.json()["reason"], "unknown_code");

  auto weak =
      post("/v4/virtual_keys", {{"keychain_id", keychain["id"]}, {"pin_code", "111111"}}, token);
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json()["errors"][0]["code"], "low_entropy");
}

// Each keychain type keeps its own rules at the panel. Scans name the instant
// they happen at ("at", the sandbox's clock), so weekly windows and grace
// periods are checked on both sides without waiting.
TEST_F(SandboxApi, EachKeychainTypeOpensByItsOwnRules) {
  seed();
  const auto token = access_token();
  const auto tenant = building["units"][0]["tenants"][0]["id"];
  const auto device = id("/devices/0/id");
  const auto key_of = [&](const HttpResponse& created) {
    EXPECT_EQ(created.status, 201) << created.body;
    const auto keychain = created.json()["data"];
    if (!keychain["virtual_key_ids"].empty()) {
      return client()
          .get(
              "/v4/virtual_keys/" + std::to_string(keychain["virtual_key_ids"][0].get<long long>()),
              bearer(token))
          .json()["data"];
    }
    return post("/v4/virtual_keys", {{"keychain_id", keychain["id"]}, {"name", "Guest"}}, token)
        .json()["data"];
  };
  const auto scan = [&](const nlohmann::json& key, const std::string& at) {
    const auto answer = client().post("/_sandbox/panels/" + device + "/scans",
                                      nlohmann::json{{"code", key["pin_code"]}, {"at", at}}.dump());
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json()["reason"].get<std::string>();
  };

  // Mondays and Thursdays 09:00-12:00 in New York, across the change to summer
  // time on Sun 14 Mar 2027: 09:30 local is 14:30Z before it and 13:30Z after.
  auto recurring = post("/v4/keychains/recurring",
                        {{"keychain",
                          {{"name", "Cleaner"},
                           {"tenant_id", tenant},
                           {"start_date", "2027-03-01"},
                           {"end_date", "2027-03-31"},
                           {"time_from", "09:00"},
                           {"time_to", "12:00"},
                           {"weekdays", {"mon", "thu"}}}}},
                        token);
  const auto weekly = key_of(recurring);
  EXPECT_EQ(recurring.json()["data"]["type"], "recurring_keychain");
  EXPECT_EQ(recurring.json()["data"]["time_from"], "09:00");
  EXPECT_EQ(recurring.json()["data"]["starts_at"], "2027-03-01T14:00:00Z");
  EXPECT_EQ(recurring.json()["data"]["ends_at"], "2027-03-31T16:00:00Z");
  EXPECT_EQ(scan(weekly, "2027-03-08T14:30:00Z"), "granted");           // Mon 09:30 EST
  EXPECT_EQ(scan(weekly, "2027-03-15T13:30:00Z"), "granted");           // Mon 09:30 EDT
  EXPECT_EQ(scan(weekly, "2027-03-15T16:30:00Z"), "outside_schedule");  // Mon 12:30 EDT
  EXPECT_EQ(scan(weekly, "2027-03-16T14:30:00Z"), "outside_schedule");  // a Tuesday
  EXPECT_EQ(scan(weekly, "2027-02-25T15:00:00Z"), "not_yet_valid");
  auto backwards = post("/v4/keychains/recurring",
                        {{"keychain",
                          {{"name", "Backwards"},
                           {"tenant_id", tenant},
                           {"start_date", "2027-03-01"},
                           {"end_date", "2027-03-31"},
                           {"time_from", "15:00"},
                           {"time_to", "12:05"},
                           {"weekdays", {"mon"}}}}},
                        token);
  EXPECT_EQ(backwards.status, 422);
  EXPECT_EQ(backwards.json()["errors"][0]["code"], "must_be_less_than_time_to");
  auto timed_recurring = post("/v4/keychains/recurring",
                              {{"keychain",
                                {{"name", "Wrong fields"},
                                 {"tenant_id", tenant},
                                 {"starts_at", in_hours(0)},
                                 {"ends_at", in_hours(1)}}}},
                              token);
  EXPECT_EQ(timed_recurring.status, 422);

  // A delivery pass comes with its one key and opens once, plus 5 minutes.
  auto delivery = post("/v4/keychains/delivery_pass",
                       {{"keychain", {{"name", "DoorDash"}, {"tenant_id", tenant}}}}, token);
  EXPECT_EQ(delivery.json()["data"]["virtual_key_ids"].size(), 1u) << delivery.body;
  const auto courier = key_of(delivery);
  EXPECT_EQ(scan(courier, in_minutes(1)), "granted");
  EXPECT_EQ(scan(courier, in_minutes(2)), "granted");
  EXPECT_EQ(scan(courier, in_minutes(7)), "already_used");
  EXPECT_EQ(
      client()
          .get("/v4/virtual_keys/" + std::to_string(courier["id"].get<long long>()), bearer(token))
          .json()["data"]["usage_count"],
      2);
  auto timed_delivery = post(
      "/v4/keychains/delivery_pass",
      {{"keychain", {{"name", "X"}, {"tenant_id", tenant}, {"starts_at", in_hours(0)}}}}, token);
  EXPECT_EQ(timed_delivery.status, 422);
  EXPECT_EQ(timed_delivery.json()["errors"][0]["code"], "unpermitted_parameter");

  // A one-time key: once, plus 15 minutes.
  const auto once = key_of(post("/v4/keychains/one_time",
                                {{"keychain",
                                  {{"name", "Once"},
                                   {"tenant_id", tenant},
                                   {"starts_at", in_hours(-1)},
                                   {"ends_at", in_hours(3)}}}},
                                token));
  EXPECT_EQ(scan(once, in_hours(0)), "granted");
  EXPECT_EQ(scan(once, in_minutes(12)), "granted");
  EXPECT_EQ(scan(once, in_minutes(18)), "already_used");
}

TEST_F(SandboxApi, DoorReleaseTakesAccessPointOrDeviceNeverBoth) {
  seed();
  const auto token = access_token();
  const auto tenant = building["units"][0]["tenants"][0]["id"];
  const auto access_point = building["access_points"][0]["id"];
  auto with_null =
      post("/v4/door_release_requests",
           {{"door_release_request",
             {{"tenant_id", tenant}, {"access_point_id", access_point}, {"device_id", nullptr}}}},
           token);
  EXPECT_EQ(with_null.status, 422);
  auto neither =
      post("/v4/door_release_requests", {{"door_release_request", {{"tenant_id", tenant}}}}, token);
  EXPECT_EQ(neither.status, 422);
  auto released =
      post("/v4/door_release_requests",
           {{"door_release_request", {{"tenant_id", tenant}, {"access_point_id", access_point}}}},
           token);
  ASSERT_EQ(released.status, 201) << released.body;
  EXPECT_EQ(released.json()["data"]["release_method"], "api");
  auto logs = client().get("/v4/buildings/" + id("/id") + "/access_logs", bearer(token)).json();
  ASSERT_EQ(logs["data"].size(), 1u);
  EXPECT_EQ(logs["data"][0]["release_status"], "Unlocked");
}

TEST_F(SandboxApi, FaultsAreInjectedThenRunOut) {
  seed();
  const auto token = access_token();
  sandbox.fault({{"path_prefix", "/v4/units"}, {"status", 429}, {"retry_after", 3}, {"times", 1}});
  auto limited = client().get("/v4/units", bearer(token));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "3");
  EXPECT_EQ(client().get("/v4/units", bearer(token)).status, 200);

  sandbox.fault({{"method", "POST"}, {"path_prefix", "/v4/units"}, {"status", 500}});
  EXPECT_EQ(client().get("/v4/units", bearer(token)).status, 200);  // GET is not matched

  sandbox.fault({{"path_prefix", "/v4/tenants"}, {"drop", true}});
  EXPECT_ANY_THROW(client().get("/v4/tenants", bearer(token)));  // no answer at all

  sandbox.fault({{"path_prefix", "/v4/devices"}, {"delay_ms", 300}});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client().get("/v4/devices", bearer(token)).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));

  EXPECT_EQ(client().post("/_sandbox/faults", R"({"path_prefix":"/v4"})").status, 422);
  sandbox.fault({{"path_prefix", "/v4"}, {"status", 503}, {"times", 100}});
  EXPECT_EQ(client().send("DELETE", "/_sandbox/faults", "", {}).status, 204);
  EXPECT_EQ(client().get("/v4/units", bearer(token)).status, 200);
}

TEST_F(SandboxApi, CallsAndScansAreDeliveredToRegisteredWebhooks) {
  seed();
  const auto token = access_token();
  // A receiver: the sandbox itself records what arrives on its SMS endpoint, so
  // point the webhook at an address that answers 404 and check the delivery log.
  auto integration = post(
      "/v4/buildings/" + id("/id") + "/integrations",
      {{"data",
        {{"type", "integrations"},
         {"attributes",
          {{"integrator", "webhook"},
           {"configuration", {{"url", sandbox.url() + "/_sandbox/nowhere"}, {"method", "post"}}},
           {"bindings",
            {{{"resource_type", "call"}, {"actions", {"create"}}},
             {{"resource_type", "access_log"}, {"actions", {"create"}}}}}}}}}},
      token);
  ASSERT_EQ(integration.status, 200) << integration.body;
  EXPECT_EQ(integration.json()["data"]["type"], "integrations");
  EXPECT_EQ(client()
                .get("/v4/buildings/" + id("/id") + "/integrations", bearer(token))
                .json()["data"]
                .size(),
            1u);

  auto call =
      client().post("/_sandbox/panels/" + id("/devices/0/id") + "/calls",
                    nlohmann::json{{"tenant_id", building["units"][0]["tenants"][0]["id"]}}.dump());
  ASSERT_EQ(call.status, 201) << call.body;
  EXPECT_EQ(call.json()["data"]["status"], "initializing");

  nlohmann::json deliveries;
  for (int i = 0; i < 100 && deliveries.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    deliveries = client().get("/_sandbox/webhooks").json()["data"];
  }
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0]["body"]["event"]["resource_type"], "call");
  EXPECT_EQ(deliveries[0]["body"]["event"]["action"], "create");
  EXPECT_EQ(deliveries[0]["body"]["event"]["data"]["id"], call.json()["data"]["id"]);
  EXPECT_EQ(deliveries[0]["status"], 404);
  EXPECT_EQ(deliveries[0]["attempts"], 3);  // not answered 200: retried
}

// The preamble the building routes share: the building's admin sees every call
// there, a tenant only their own, nobody a building they have nothing to do
// with, and an integration only under the owner it was made for.
TEST_F(SandboxApi, BuildingRecordsAreSeenByTheirAdminAndTheirOwnTenantOnly) {
  seed();
  const auto admin = access_token();
  const auto ana = access_token("ana@example.com");
  const auto chloe = access_token("chloe@example.com");
  const auto id_text = [](const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  const auto call_for = [&](const char* tenant) {
    auto call = client().post(
        "/_sandbox/panels/" + id("/devices/0/id") + "/calls",
        nlohmann::json{{"tenant_id", building[nlohmann::json::json_pointer(tenant)]}}.dump());
    EXPECT_EQ(call.status, 201) << call.body;
    return id_text(call.json()["data"]["id"]);
  };
  const auto anas_call = call_for("/units/0/tenants/0/id");
  const auto chloes_call = call_for("/units/1/tenants/0/id");
  const auto calls = "/v4/buildings/" + id("/id") + "/calls";

  EXPECT_EQ(client().get(calls, bearer(admin)).json()["data"].size(), 2u);
  const auto seen_by_ana = client().get(calls, bearer(ana)).json()["data"];
  ASSERT_EQ(seen_by_ana.size(), 1u);
  EXPECT_EQ(id_text(seen_by_ana[0]["id"]), anas_call);
  EXPECT_EQ(client().get(calls + "/" + anas_call, bearer(ana)).status, 200);
  EXPECT_EQ(client().get(calls + "/" + chloes_call, bearer(ana)).status, 404);
  EXPECT_EQ(client().get(calls + "/" + chloes_call, bearer(chloe)).status, 200);
  EXPECT_EQ(client().get(calls).status, 401);
  EXPECT_EQ(client().get("/v4/buildings/999999/calls", bearer(admin)).status, 404);
  EXPECT_EQ(client().get("/v4/buildings/999999/access_logs", bearer(admin)).status, 404);
  EXPECT_EQ(client().get("/v4/buildings/" + id("/id") + "/access_logs/1", bearer(admin)).status,
            404);

  const auto webhook = call_webhook();
  const auto anas_tenant =
      std::to_string(building["units"][0]["tenants"][0]["id"].get<long long>());
  auto made = post("/v4/tenants/" + anas_tenant + "/integrations", webhook, ana);
  ASSERT_EQ(made.status, 200) << made.body;
  const auto integration = id_text(made.json()["data"]["id"]);
  const auto mine = "/v4/tenants/" + anas_tenant + "/integrations/" + integration;
  EXPECT_EQ(client().get(mine, bearer(ana)).status, 200);
  // Not under another owner's path, and not for another caller.
  EXPECT_EQ(client()
                .get("/v4/buildings/" + id("/id") + "/integrations/" + integration, bearer(admin))
                .status,
            404);
  EXPECT_EQ(client().get(mine, bearer(chloe)).status, 404);
  EXPECT_EQ(post("/v4/tenants/" + anas_tenant + "/integrations", webhook, chloe).status, 404);
  EXPECT_EQ(client().send("DELETE", mine, "", bearer(chloe)).status, 404);
  EXPECT_EQ(client().send("DELETE", mine, "", bearer(ana)).status, 204);
  EXPECT_EQ(client().get(mine, bearer(ana)).status, 404);
}

TEST_F(SandboxApi, ResponsesHaveTheFieldsOfThePublishedExamples) {
  seed();
  const auto token = access_token();
  const auto b = id("/id");
  expect_conforms(client().get("/v4/buildings", bearer(token)), "get", "/v4/buildings", "200");
  expect_conforms(client().get("/v4/buildings"), "get", "/v4/buildings", "401");
  expect_conforms(client().get("/v4/buildings/" + b, bearer(token)), "get", "/v4/buildings/{id}",
                  "200");
  expect_conforms(client().get("/v4/units", bearer(token)), "get", "/v4/units", "200");
  expect_conforms(client().get("/v4/units/" + id("/units/0/id"), bearer(token)), "get",
                  "/v4/units/{id}", "200");
  expect_conforms(client().get("/v4/tenants", bearer(token)), "get", "/v4/tenants", "200");
  expect_conforms(client().get("/v4/tenants/" + id("/units/0/tenants/0/id"), bearer(token)), "get",
                  "/v4/tenants/{id}", "200");
  expect_conforms(client().get("/v4/devices", bearer(token)), "get", "/v4/devices", "200");
  expect_conforms(client().get("/v4/devices/" + id("/devices/0/id"), bearer(token)), "get",
                  "/v4/devices/{id}", "200");
  expect_conforms(client().get("/v4/access_points", bearer(token)), "get", "/v4/access_points",
                  "200");
  expect_conforms(client().get("/v4/access_points/" + id("/access_points/0/id"), bearer(token)),
                  "get", "/v4/access_points/{id}", "200");

  const auto keychain = custom_keychain(token, {"guest@example.com"});
  const auto keychain_id = std::to_string(keychain["id"].get<long long>());
  auto one_time = post("/v4/keychains/one_time",
                       {{"keychain",
                         {{"name", "Once"},
                          {"tenant_id", building["units"][0]["tenants"][0]["id"]},
                          {"starts_at", in_hours(0)},
                          {"ends_at", in_hours(2)}}}},
                       token);
  expect_conforms(one_time, "post", "/v4/keychains/one_time", "201");
  expect_conforms(client().get("/v4/keychains", bearer(token)), "get", "/v4/keychains", "200");
  expect_conforms(client().get("/v4/keychains/" + keychain_id, bearer(token)), "get",
                  "/v4/keychains/{id}", "200");
  auto key = post("/v4/virtual_keys", {{"keychain_id", keychain["id"]}, {"email", "g@example.com"}},
                  token);
  expect_conforms(key, "post", "/v4/virtual_keys", "201");
  expect_conforms(client().get("/v4/virtual_keys", bearer(token)), "get", "/v4/virtual_keys",
                  "200");
  const auto key_id = std::to_string(key.json()["data"]["id"].get<long long>());
  expect_conforms(client().get("/v4/virtual_keys/" + key_id, bearer(token)), "get",
                  "/v4/virtual_keys/{id}", "200");
  expect_conforms(client().send("DELETE", "/v4/virtual_keys/1", "", bearer(token)), "delete",
                  "/v4/virtual_keys/{id}", "404");
  expect_conforms(client().send("DELETE", "/v4/keychains/1", "", bearer(token)), "delete",
                  "/v4/keychains/{id}", "404");

  expect_conforms(post("/v4/door_release_requests",
                       {{"door_release_request",
                         {{"tenant_id", building["units"][0]["tenants"][0]["id"]},
                          {"access_point_id", building["access_points"][0]["id"]}}}},
                       token),
                  "post", "/v4/door_release_requests", "201");
  client().post("/_sandbox/panels/" + id("/devices/0/id") + "/calls",
                nlohmann::json{{"tenant_id", building["units"][0]["tenants"][0]["id"]}}.dump());
  auto calls = client().get("/v4/buildings/" + b + "/calls", bearer(token));
  expect_conforms(calls, "get", "/v4/buildings/{building_id}/calls", "200");
  const auto call_id = std::to_string(calls.json()["data"][0]["id"].get<long long>());
  expect_conforms(client().get("/v4/buildings/" + b + "/calls/" + call_id, bearer(token)), "get",
                  "/v4/buildings/{building_id}/calls/{id}", "200");
  expect_conforms(client().get("/v4/buildings/" + b + "/calls/1", bearer(token)), "get",
                  "/v4/buildings/{building_id}/calls/{id}", "404");
  auto logs = client().get("/v4/buildings/" + b + "/access_logs", bearer(token));
  expect_conforms(logs, "get", "/v4/buildings/{building_id}/access_logs", "200");
  const auto log_id = std::to_string(logs.json()["data"][0]["id"].get<long long>());
  expect_conforms(client().get("/v4/buildings/" + b + "/access_logs/" + log_id, bearer(token)),
                  "get", "/v4/buildings/{building_id}/access_logs/{id}", "200");
}

TEST_F(SandboxApi, ProvidersAcceptMessagesAndRecordThem) {
  auto sms = client().post("/2010-04-01/Accounts/AC1/Messages.json",
                           "To=%2B15550002222&From=%2B15550000000&Body=Your+pass",
                           {{"Authorization", "Basic YWNjb3VudDpzZWNyZXQ="},
                            {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(sms.status, 201) << sms.body;
  EXPECT_EQ(client()
                .post("/2010-04-01/Accounts/AC1/Messages.json", "To=5550002222&Body=x",
                      {{"Authorization", "Basic eDp5"}})
                .json()["code"],
            21211);
  auto fcm = client().post(
      "/v1/projects/frontdoor/messages:send",
      R"({"message":{"token":"android-1","data":{"call_id":"c1"},"android":{"priority":"high"}}})",
      {{"Authorization", "Bearer x"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(fcm.status, 200) << fcm.body;
  auto dead =
      client().post("/v1/projects/frontdoor/messages:send", R"({"message":{"token":"dead-1"}})",
                    {{"Authorization", "Bearer x"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(dead.status, 404);
  auto apns = client().post("/3/device/ios-1", R"({"aps":{}})",
                            {{"apns-topic", "app.voip"},
                             {"apns-push-type", "voip"},
                             {"Content-Type", "application/json"}});
  EXPECT_EQ(apns.status, 200);
  EXPECT_FALSE(apns.header("apns-id").empty());

  EXPECT_EQ(sandbox.messages("sms", "+15550002222")[0]["body"], "Your pass");
  auto pushes = sandbox.messages("push");
  ASSERT_EQ(pushes.size(), 2u);
  EXPECT_EQ(pushes[0]["data"]["priority"], "high");
  EXPECT_EQ(pushes[1]["data"]["push_type"], "voip");
}

TEST_F(SandboxApi, RequestsAreRecordedAndResetClearsEverything) {
  seed();
  const auto token = access_token();
  client().get("/v4/tenants", bearer(token));
  auto requests = sandbox.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["path"], "/oauth/token");
  EXPECT_EQ(requests[1]["path"], "/v4/tenants");
  EXPECT_EQ(sandbox.requests("/v4").size(), 1u);
  sandbox.reset();
  EXPECT_TRUE(sandbox.requests().empty());
  EXPECT_EQ(client().get("/v4/tenants", bearer(token)).status, 401);
}

// Every list takes the filters the description publishes for it.
TEST_F(SandboxApi, ListsTakeTheirPublishedFilters) {
  seed();
  const auto token = access_token();
  const auto tenant = building["units"][0]["tenants"][0]["id"];
  auto first = custom_keychain(token, nlohmann::json::array());
  post("/v4/keychains/one_time",
       {{"keychain",
         {{"name", "Other"},
          {"tenant_id", tenant},
          {"starts_at", in_hours(5)},
          {"ends_at", in_hours(6)}}}},
       token);
  const auto count = [&](const std::string& target) {
    return client().get(target, bearer(token)).json()["data"].size();
  };
  EXPECT_EQ(count("/v4/keychains"), 2u);
  EXPECT_EQ(count("/v4/keychains?q%5Bname_eq%5D=game%20night"), 1u);  // case-insensitive
  EXPECT_EQ(count("/v4/keychains?q%5Bname_start%5D=Oth"), 1u);
  EXPECT_EQ(count("/v4/keychains?q%5Btenant_id_eq%5D=" + std::to_string(tenant.get<long long>())),
            2u);
  EXPECT_EQ(count("/v4/keychains?q%5Btenant_id_eq%5D=1"), 0u);
  EXPECT_EQ(count("/v4/keychains?q%5Bstarts_at_gteq%5D=" + in_hours(4)), 1u);
  EXPECT_EQ(count("/v4/keychains?q%5Bends_at_lteq%5D=" + in_hours(4)), 1u);
  EXPECT_EQ(count("/v4/units?q%5Bfloor_eq%5D=2"), 1u);
  EXPECT_EQ(count("/v4/units?q%5Bid_in%5D%5B%5D=" + id("/units/0/id") +
                  "&q%5Bid_in%5D%5B%5D=" + id("/units/1/id")),
            2u);
  EXPECT_EQ(count("/v4/units?q%5Blabel_start%5D=10"), 1u);
  EXPECT_EQ(count("/v4/tenants?q%5Blast_name_eq%5D=martin"), 1u);
  EXPECT_EQ(count("/v4/tenants?q%5Bfull_name_start%5D=Ana%20G"), 1u);
  EXPECT_EQ(count("/v4/buildings?q%5Bid_in%5D%5B%5D=" + id("/id")), 1u);
  EXPECT_EQ(count("/v4/buildings?q%5Bname_eq%5D=nowhere"), 0u);
  EXPECT_EQ(count("/v4/access_points?q%5Bbuilding_id_eq%5D=" + id("/id")), 1u);
  EXPECT_EQ(count("/v4/devices?q%5Btype_eq%5D=nothing"), 0u);
  const auto key =
      post("/v4/virtual_keys", {{"keychain_id", first["id"]}, {"email", "v@example.com"}}, token);
  ASSERT_EQ(key.status, 201);
  EXPECT_EQ(count("/v4/virtual_keys?q%5Bkeychain_id_eq%5D=" +
                  std::to_string(first["id"].get<long long>())),
            1u);
  EXPECT_EQ(count("/v4/virtual_keys?q%5Bemail_start%5D=w"), 0u);
  // An attribute a list does not publish is ignored, as Ransack ignores it.
  EXPECT_EQ(count("/v4/keychains?q%5Bcolour_eq%5D=red"), 2u);
}

// The documented responses of an operation ("201", "401", ...).
std::set<std::string> documented_statuses(const std::string& method, const std::string& path) {
  std::set<std::string> statuses;
  for (const auto& item : published_spec()["paths"][path][method]["responses"]) {
    statuses.insert(item.first.as<std::string>());
  }
  return statuses;
}

// "/v4/buildings/{owner_id}/integrations" and "/v4/buildings/{building_id}/..." name
// the same operation.
std::string shape(const std::string& path) {
  std::string out;
  bool in_parameter = false;
  for (char c : path) {
    if (c == '{') {
      in_parameter = true;
      out += "{}";
    } else if (c == '}') {
      in_parameter = false;
    } else if (!in_parameter) {
      out += c;
    }
  }
  return out;
}

// Every operation the sandbox serves under /v4 answers its success with the
// status the published description gives it (201 for creates that say so, 200
// for the integrations POST, 204 for deletes), and each is in that description.
TEST_F(SandboxApi, EveryOperationAnswersTheDocumentedStatus) {
  seed();
  const auto token = access_token();
  const auto tenant = building["units"][0]["tenants"][0]["id"];
  const auto b = id("/id");
  auto keychain = custom_keychain(token, nlohmann::json::array());
  const auto keychain_id = std::to_string(keychain["id"].get<long long>());
  const auto doomed =
      std::to_string(custom_keychain(token, nlohmann::json::array())["id"].get<long long>());
  const auto key =
      post("/v4/virtual_keys", {{"keychain_id", keychain["id"]}, {"name", "K"}}, token);
  const auto key_id = std::to_string(key.json()["data"]["id"].get<long long>());
  client().post("/_sandbox/panels/" + id("/devices/0/id") + "/calls",
                nlohmann::json{{"tenant_id", tenant}}.dump());
  const auto call_id = std::to_string(client()
                                          .get("/v4/buildings/" + b + "/calls", bearer(token))
                                          .json()["data"][0]["id"]
                                          .get<long long>());
  const auto integration_body = call_webhook();
  const auto tenant_token = access_token("Ana@Example.com");

  struct Operation {
    std::string method, documented_path, path;
    std::function<HttpResponse()> call;
  };
  const auto get = [&](const std::string& path, const std::string& with = "") {
    return [this, path, with, &token] {
      return client().get(path, bearer(with.empty() ? token : with));
    };
  };
  std::vector<Operation> operations = {
      {"get", "/v4/buildings", "", get("/v4/buildings")},
      {"get", "/v4/buildings/{id}", "", get("/v4/buildings/" + b)},
      {"get", "/v4/units", "", get("/v4/units")},
      {"get", "/v4/units/{id}", "", get("/v4/units/" + id("/units/0/id"))},
      {"get", "/v4/tenants", "", get("/v4/tenants")},
      {"get", "/v4/tenants/{id}", "", get("/v4/tenants/" + id("/units/0/tenants/0/id"))},
      {"get", "/v4/devices", "", get("/v4/devices")},
      {"get", "/v4/devices/{id}", "", get("/v4/devices/" + id("/devices/0/id"))},
      {"get", "/v4/access_points", "", get("/v4/access_points")},
      {"get", "/v4/access_points/{id}", "", get("/v4/access_points/" + id("/access_points/0/id"))},
      {"post", "/v4/keychains/custom", "",
       [&] {
         return post("/v4/keychains/custom",
                     {{"keychain",
                       {{"name", "C"},
                        {"tenant_id", tenant},
                        {"starts_at", in_hours(0)},
                        {"ends_at", in_hours(1)}}}},
                     token);
       }},
      {"post", "/v4/keychains/one_time", "",
       [&] {
         return post("/v4/keychains/one_time",
                     {{"keychain",
                       {{"name", "O"},
                        {"tenant_id", tenant},
                        {"starts_at", in_hours(0)},
                        {"ends_at", in_hours(1)}}}},
                     token);
       }},
      {"post", "/v4/keychains/recurring", "",
       [&] {
         return post("/v4/keychains/recurring",
                     {{"keychain",
                       {{"name", "R"},
                        {"tenant_id", tenant},
                        {"start_date", "2027-03-01"},
                        {"end_date", "2027-03-31"},
                        {"time_from", "09:00"},
                        {"time_to", "12:00"},
                        {"weekdays", {"mon", "thu"}}}}},
                     token);
       }},
      {"post", "/v4/keychains/delivery_pass", "",
       [&] {
         return post("/v4/keychains/delivery_pass",
                     {{"keychain", {{"name", "DoorDash"}, {"tenant_id", tenant}}}}, token);
       }},
      {"get", "/v4/keychains", "", get("/v4/keychains")},
      {"get", "/v4/keychains/{id}", "", get("/v4/keychains/" + keychain_id)},
      {"delete", "/v4/keychains/{id}", "",
       [&] { return client().send("DELETE", "/v4/keychains/" + doomed, "", bearer(token)); }},
      {"post", "/v4/virtual_keys", "",
       [&] {
         return post("/v4/virtual_keys", {{"keychain_id", keychain["id"]}, {"name", "V"}}, token);
       }},
      {"get", "/v4/virtual_keys", "", get("/v4/virtual_keys")},
      {"get", "/v4/virtual_keys/{id}", "", get("/v4/virtual_keys/" + key_id)},
      {"delete", "/v4/virtual_keys/{id}", "",
       [&] { return client().send("DELETE", "/v4/virtual_keys/" + key_id, "", bearer(token)); }},
      {"post", "/v4/door_release_requests", "",
       [&] {
         return post(
             "/v4/door_release_requests",
             {{"door_release_request",
               {{"tenant_id", tenant}, {"access_point_id", building["access_points"][0]["id"]}}}},
             token);
       }},
      {"get", "/v4/buildings/{building_id}/calls", "", get("/v4/buildings/" + b + "/calls")},
      {"get", "/v4/buildings/{building_id}/calls/{id}", "",
       get("/v4/buildings/" + b + "/calls/" + call_id)},
      {"get", "/v4/buildings/{building_id}/access_logs", "",
       get("/v4/buildings/" + b + "/access_logs")},
      {"get", "/v4/buildings/{building_id}/access_logs/{id}", "",
       [&] {
         const auto logs = client().get("/v4/buildings/" + b + "/access_logs", bearer(token));
         return client().get("/v4/buildings/" + b + "/access_logs/" +
                                 std::to_string(logs.json()["data"][0]["id"].get<long long>()),
                             bearer(token));
       }},
  };
  // Integrations, on a building (its admin) and on a tenant (the tenant): the
  // whole life of one, create to delete.
  for (const std::string scope : {"building", "tenant"}) {
    const auto owner = scope == "building" ? b : id("/units/0/tenants/0/id");
    const auto with = scope == "building" ? token : tenant_token;
    const auto base = "/v4/" + scope + "s/" + owner + "/integrations";
    const auto documented = "/v4/" + scope + "s/{" + scope + "_id}/integrations";
    auto created = std::make_shared<std::string>();
    operations.push_back({"post", documented, "", [=, this] {
                            auto response = post(base, integration_body, with);
                            if (response.status < 300) {
                              *created = response.json()["data"]["id"].get<std::string>();
                            }
                            return response;
                          }});
    operations.push_back({"get", documented, "", get(base, with)});
    operations.push_back({"get", documented + "/{id}", "",
                          [=, this] { return client().get(base + "/" + *created, bearer(with)); }});
    operations.push_back({"put", documented + "/{id}", "", [=, this] {
                            return client().send("PUT", base + "/" + *created,
                                                 integration_body.dump(),
                                                 {{"Authorization", "Bearer " + with},
                                                  {"Content-Type", "application/json"}});
                          }});
    operations.push_back({"delete", documented + "/{id}", "", [=, this] {
                            return client().send("DELETE", base + "/" + *created, "", bearer(with));
                          }});
  }

  std::set<std::string> exercised;
  for (const auto& operation : operations) {
    const auto response = operation.call();
    const auto statuses = documented_statuses(operation.method, operation.documented_path);
    ASSERT_FALSE(statuses.empty()) << operation.method << " " << operation.documented_path
                                   << " is not in the published description";
    std::string success;
    for (const auto& status : statuses) {
      if (status[0] == '2') success = status;
    }
    EXPECT_EQ(std::to_string(response.status), success)
        << operation.method << " " << operation.documented_path << ": "
        << response.body.substr(0, 300);
    std::string method = operation.method;
    for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    exercised.insert(method + " " + shape(operation.documented_path));
  }

  // And nothing the sandbox serves under /v4 was left out of this test.
  bmx_sandbox::Sandbox routes_of(bmx_sandbox::Options{});
  frontdoor::http::Router router;
  routes_of.add_routes(router);
  for (const auto& route : router.routes()) {
    if (route.pattern.rfind("/v4/", 0) != 0) continue;
    EXPECT_EQ(exercised.count(route.method + " " + shape(route.pattern)), 1u)
        << route.method << " " << route.pattern << " is served but its status is not checked";
  }
}

}  // namespace
