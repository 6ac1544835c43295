#pragma once

// A property connected to a BMX building in the sandbox, Ana (a linked
// resident), and the helpers the visitors' and the passes' tests share
// (visitors_api_test.cpp, passes_api_test.cpp): adding a visitor, waiting for
// its pass, its keychain and PIN at BMX, scans at the panel, the pass page.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "../support/bmx_world.hpp"
#include "../support/eventually.hpp"
#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"
#include "frontdoor/common/time.hpp"

namespace frontdoor::testing {

inline constexpr const char* kPlaceholder = "butterflymx+maple@frontdoor.example";

inline std::string in_hours(double hours) {
  return common::to_rfc3339(std::chrono::system_clock::now() +
                            std::chrono::seconds(static_cast<long>(hours * 3600)));
}

// The server's clock is a ManualClock; BMX's is the real one. Tests that do not
// move time keep the two together.
inline void sync(TestServer& server) { server.clock().set(std::chrono::system_clock::now()); }

// Mondays and Thursdays 09:00-12:00 in March 2027, when New York moves to
// summer time (Sun 14 Mar): the first window is Mon 1 Mar 09:00 EST (14:00Z),
// the last Mon 29 Mar 12:00 EDT (16:00Z).
inline nlohmann::json march_mornings() {
  return {{"days", {"mon", "thu"}},
          {"from", "09:00"},
          {"to", "12:00"},
          {"starts_on", "2027-03-01"},
          {"ends_on", "2027-03-31"}};
}

class VisitorsFixture : public ::testing::Test {
 protected:
  VisitorsFixture()
      : sandbox(SandboxProcess::shared()),
        server(testing::TestServerOptions{.bmx_sandbox = true}),
        world(server) {
    sandbox.reset();
    property = world.property("maple");
    building = sandbox.seed_building(nlohmann::json::parse(std::string(R"({
      "name": "Maple Court", "admins": ["boss@bmx.test"],
      "units": [
        {"label": "101", "tenants": [{"first_name": "Ana", "last_name": "Garcia",
                                      "email": "ana@bmx.test"}]},
        {"label": "201", "tenants": [{"first_name": "Ben", "last_name": "Okafor",
                                      "email": "ben@bmx.test"}]},
        {"label": "frontdoor", "tenants": [{"first_name": "Visitors", "last_name": "Maple",
                                            "email": ")") + kPlaceholder +
                                                           R"("}]}]})"));
    auto set_up = world.client().send(
        "PUT", "/v1/properties/" + property + "/integrations/bmx",
        nlohmann::json{{"building_id", building["id"]},
                       {"authorization_code", sandbox.code_for("boss@bmx.test")}}
            .dump(),
        world.admin().auth());
    EXPECT_EQ(set_up.status, 200) << set_up.body;
    ana = linked_resident("ana@bmx.test");
  }

  Account linked_resident(const std::string& bmx_email) {
    auto resident = world.resident(property);
    testing::BmxWorld(world.client(), sandbox).link(resident.access_token, bmx_email);
    return resident;
  }

  HttpResponse add_visitor(const Account& host, nlohmann::json body,
                           const std::string& idempotency_key = "") {
    sync(server);
    auto headers = host.auth();
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return world.client().post("/v1/me/visitors", body.dump(), headers);
  }

  nlohmann::json property_only(const std::string& phone = "+15550001111") {
    return {{"name", "Vera Visitor"},
            {"phone", phone},
            {"access", "property_only"},
            {"starts_at", in_hours(0)},
            {"ends_at", in_hours(3)}};
  }

  // Polls until the pass leaves "pending"; returns the visitor.
  nlohmann::json settled(const Account& host, const std::string& visitor_id) {
    nlohmann::json visitor;
    for (int i = 0; i < 200; ++i) {
      visitor = world.client().get("/v1/me/visitors/" + visitor_id, host.auth()).json();
      if (visitor["pass"]["status"] != "pending") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return visitor;
  }

  std::string query(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  std::string admin_bmx_token() { return testing::BmxWorld(world.client(), sandbox).admin_token(); }

  // The keychain BMX holds for a visit, as the building admin sees it.
  nlohmann::json bmx_keychain(const std::string& visitor_id) {
    const auto id =
        query("SELECT bmx_keychain_id FROM passes WHERE visitor_id = '" + visitor_id + "'");
    return sandbox.client()
        .get("/v4/keychains/" + id, {{"Authorization", "Bearer " + admin_bmx_token()}})
        .json()["data"];
  }

  // The PIN of the one key BMX holds for a visit (what its QR code encodes).
  std::string pin_of(const std::string& visitor_id) {
    const auto key_id = bmx_keychain(visitor_id)["virtual_key_ids"][0].get<std::int64_t>();
    return sandbox.client()
        .get("/v4/virtual_keys/" + std::to_string(key_id),
             {{"Authorization", "Bearer " + admin_bmx_token()}})
        .json()["data"]["pin_code"]
        .get<std::string>();
  }

  // A scan at the panel judged as if it happened `at` (the sandbox's clock).
  std::string scan_at(const std::string& code, const std::string& at) {
    return sandbox.client()
        .post("/_sandbox/panels/" +
                  std::to_string(building["devices"][0]["id"].get<std::int64_t>()) + "/scans",
              nlohmann::json{{"code", code}, {"at", at}}.dump())
        .json()["reason"]
        .get<std::string>();
  }

  HttpResponse scan(const std::string& code) {
    return sandbox.client().post(
        "/_sandbox/panels/" + std::to_string(building["devices"][0]["id"].get<std::int64_t>()) +
            "/scans",
        nlohmann::json{{"code", code}}.dump());
  }

  HttpResponse page_of(const nlohmann::json& created, const std::string& suffix = "") {
    sync(server);
    return world.client().get(page_path(created) + suffix);
  }

  std::string page_path(const nlohmann::json& created) {
    const std::string url = created["pass"]["url"];
    return url.substr(url.find("/p/"));
  }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
  std::string property;
  nlohmann::json building;
  Account ana;
};

}  // namespace frontdoor::testing
