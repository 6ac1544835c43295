#pragma once

// A property with a panel, Ana (a linked resident) and her two phones, a BMX
// building in the sandbox, and the helpers the calls' and the directory's tests
// share (calls_api_test.cpp, directory_api_test.cpp).
#include <gtest/gtest.h>

#include <string>

#include "../support/bmx_world.hpp"
#include "../support/eventually.hpp"
#include "../support/sandbox_process.hpp"
#include "../support/world.hpp"

namespace frontdoor::testing {

class CallsFixture : public ::testing::Test {
 protected:
  CallsFixture()
      : sandbox(SandboxProcess::shared()),
        server(testing::TestServerOptions{.configure =
                                              [](app::Config& config) {
                                                // Integrators' receivers: the sandbox's sink.
                                                config.webhooks.allow_http = "true";
                                                config.webhooks.allow_internal_addresses = "true";
                                              },
                                          .bmx_sandbox = true}),
        world(server) {
    sandbox.reset();
    server.clock().set(std::chrono::system_clock::now());
    property = world.property("maple");
    building = sandbox.seed_building(nlohmann::json::parse(R"({
      "name": "Maple Court", "admins": ["boss@bmx.test"],
      "units": [
        {"label": "101", "tenants": [{"first_name": "Ana", "last_name": "Garcia",
                                      "email": "ana@bmx.test"}]},
        {"label": "201", "tenants": [{"first_name": "Chloe", "last_name": "Martin",
                                      "email": "chloe@bmx.test",
                                      "contact_preference": "phone_call"}]},
        {"label": "frontdoor", "tenants": [{"first_name": "Visitors", "last_name": "Maple",
                                  "email": "butterflymx+maple@frontdoor.example"}]}]})"));
    auto set_up = world.client().send(
        "PUT", "/v1/properties/" + property + "/integrations/bmx",
        nlohmann::json{{"building_id", building["id"]},
                       {"authorization_code", sandbox.code_for("boss@bmx.test")}}
            .dump(),
        world.admin().auth());
    EXPECT_EQ(set_up.status, 200) << set_up.body;
    ana = world.resident(property, "Ana", "Garcia");
    link(ana, "ana@bmx.test");
    phone_a = device(ana, testing::iphone("ana-phone"));
    phone_b = device(ana, R"({"platform":"android","push_token":"fcm-ana-tablet"})");
    auto panel = world.client().post(
        "/v1/properties/" + property + "/panels",
        nlohmann::json{
            {"name", "Lobby"},
            {"bmx_device_id", std::to_string(building["devices"][0]["id"].get<std::int64_t>())}}
            .dump(),
        world.admin().auth());
    panel_key = panel.json()["api_key"];
  }

  void link(const Account& resident, const std::string& bmx_email) {
    testing::BmxWorld(world.client(), sandbox).link(resident.access_token, bmx_email);
  }

  std::string device(const Account& resident, const std::string& body) {
    auto response = world.client().post("/v1/me/devices", body, resident.auth());
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json()["id"];
  }

  HttpClient::Headers panel() { return {{"Authorization", "Bearer " + panel_key}}; }

  nlohmann::json directory(const std::string& q) {
    return world.client().get("/v1/panel/directory?q=" + q, panel()).json();
  }

  std::string entry_for(const std::string& q) { return directory(q)["data"][0]["entry_id"]; }

  HttpResponse ring(const std::string& entry_id) {
    return world.client().post("/v1/panel/calls", nlohmann::json{{"entry_id", entry_id}}.dump(),
                               panel());
  }

  std::string ring_ana() {
    auto response = ring(ana.residency_id);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json()["call_id"];
  }

  nlohmann::json panel_view(const std::string& call_id) {
    return world.client().get("/v1/panel/calls/" + call_id, panel()).json();
  }

  HttpResponse act(const Account& who, const std::string& call_id, const std::string& action,
                   const nlohmann::json& body = nullptr) {
    return world.client().post("/v1/calls/" + call_id + "/" + action,
                               body.is_null() ? "" : body.dump(), who.auth());
  }

  HttpResponse accept(const std::string& call_id, const std::string& device_id,
                      const std::string& media = "video") {
    return act(ana, call_id, "accept", {{"device_id", device_id}, {"media", media}});
  }

  std::string query(const std::string& sql) {
    return testing::query_value(server.database_url(), sql);
  }

  void settings(const nlohmann::json& change) {
    auto changed = world.client().send("PATCH", "/v1/properties/" + property + "/settings",
                                       change.dump(), world.admin().auth());
    ASSERT_EQ(changed.status, 200) << changed.body;
  }

  // The pushes this device token received whose payload has this type.
  nlohmann::json pushes(const std::string& token, const std::string& type) {
    nlohmann::json found = nlohmann::json::array();
    for (const auto& push : sandbox.messages("push", token)) {
      if (push["data"]["payload"].value("type", "") == type) found.push_back(push);
    }
    return found;
  }

  SandboxProcess& sandbox;
  TestServer server;
  World world;
  std::string property;
  nlohmann::json building;
  Account ana;
  std::string phone_a, phone_b;
  std::string panel_key;
};

}  // namespace frontdoor::testing
