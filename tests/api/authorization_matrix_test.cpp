// Every route of the router against every kind of caller. Denials must be
// 401 (no credential), 403 (may not) or 404 (another property's resource: its
// existence is not revealed); never a 5xx. A route missing from the matrix fails.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "../support/world.hpp"
#include "frontdoor/auth/passwords.hpp"

namespace frontdoor {
namespace {

using testing::TestServer;
using testing::World;

enum class Who {
  anonymous,
  resident,
  other_resident,
  visitor,
  staff,
  manager,
  other_manager,
  admin,
  panel,
  moved_out,            // a resident's access token from before their move-out
  moved_out_refreshed,  // the token their refresh token gets after it
  unknown_panel_key,    // fdp_... that no panel has: looked up, never cached (issue 29)
  garbage,              // a bearer credential of no known shape
};

const std::map<Who, std::string> kNames = {
    {Who::anonymous, "anonymous"},
    {Who::resident, "resident"},
    {Who::other_resident, "resident of another property"},
    {Who::visitor, "visitor"},
    {Who::staff, "staff"},
    {Who::manager, "manager"},
    {Who::other_manager, "manager of another property"},
    {Who::admin, "admin"},
    {Who::panel, "panel key"},
    {Who::moved_out, "moved-out resident's old token"},
    {Who::moved_out_refreshed, "moved-out resident's refreshed token"},
    {Who::unknown_panel_key, "unknown panel key"},
    {Who::garbage, "garbage credential"}};

const std::set<Who> kEveryone = {
    Who::anonymous, Who::resident,  Who::other_resident,      Who::visitor,
    Who::staff,     Who::manager,   Who::other_manager,       Who::admin,
    Who::panel,     Who::moved_out, Who::moved_out_refreshed, Who::unknown_panel_key,
    Who::garbage};
// Everyone with an account. A moved-out resident still has theirs, with no role left
// at the property: they must be answered as someone who never lived there.
const std::set<Who> kPeople = {Who::resident, Who::other_resident, Who::visitor,
                               Who::staff,    Who::manager,        Who::other_manager,
                               Who::admin,    Who::moved_out,      Who::moved_out_refreshed};
bool lives_elsewhere(Who who) {
  return who == Who::other_resident || who == Who::other_manager || who == Who::moved_out ||
         who == Who::moved_out_refreshed;
}

struct Call {
  std::string path;
  nlohmann::json body;
};

struct Entry {
  // Public routes answer everyone on their own terms (a bad password is 401):
  // only "never a 5xx" is checked for them.
  std::set<Who> allowed;
  // Builds the request for one caller; fresh resources where a call consumes them.
  std::function<Call(Who)> call;
  // What people outside `allowed` get, when not the usual 403: 404 for another
  // person's things, whose existence is not revealed.
  int denied_status = 403;
};

class AuthorizationMatrix : public ::testing::Test {
 protected:
  AuthorizationMatrix() : world(server) {
    property = world.property("matrix");
    other_property = world.property("elsewhere");
    credentials[Who::admin] = world.admin().access_token;
    credentials[Who::manager] = world.staff(property, "manager").access_token;
    credentials[Who::staff] = world.staff(property, "staff").access_token;
    credentials[Who::other_manager] = world.staff(other_property, "manager").access_token;
    auto resident = world.resident(property);
    resident_user = resident.user_id;
    resident_residency = resident.residency_id;
    credentials[Who::resident] = resident.access_token;
    credentials[Who::other_resident] = world.resident(other_property).access_token;
    credentials[Who::visitor] = visitor_token();
    credentials[Who::panel] = world.panel_key(property);
    credentials[Who::unknown_panel_key] = "fdp_" + std::string(43, 'x');
    credentials[Who::garbage] = "not-a-token";
    // A resident who moves out: the token they held, and the one refreshing gets them.
    auto leaving = world.resident(property, "Lea", "Leaving");
    const auto manager_token = credentials[Who::manager];
    auto moved = world.client().post("/v1/residents/" + leaving.residency_id + "/move-out", "",
                                     {{"Authorization", "Bearer " + manager_token}});
    if (moved.status != 200) throw std::runtime_error("move-out: " + moved.body);
    credentials[Who::moved_out] = leaving.access_token;
    auto refreshed = world.client().post(
        "/v1/auth/refresh", nlohmann::json{{"refresh_token", leaving.refresh_token}}.dump());
    if (refreshed.status != 200) throw std::runtime_error("refresh: " + refreshed.body);
    credentials[Who::moved_out_refreshed] = refreshed.json()["access_token"];
  }

  // Visitor accounts come with the visitors module; the role is what matters here.
  std::string visitor_token() {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    const auto id = tx.exec_params1(
                          "INSERT INTO users (email, display_name, password_hash) "
                          "VALUES ('visitor@example.com', 'Vic', $1) RETURNING id",
                          auth::hash_password("a long enough passphrase"))[0]
                        .as<std::string>();
    tx.exec_params(
        "INSERT INTO role_assignments (user_id, role, property_id) VALUES ($1, "
        "'visitor', $2)",
        id, property);
    tx.commit();
    return world.login("visitor@example.com", "a long enough passphrase").access_token;
  }

  testing::HttpClient::Headers headers(Who who) {
    if (who == Who::anonymous) return {};
    return {{"Authorization", "Bearer " + credentials[who]}};
  }

  std::string fresh(const std::string& prefix) { return prefix + std::to_string(++counter); }

  std::string fresh_panel() {
    auto key_response =
        world.client().post("/v1/properties/" + property + "/panels",
                            nlohmann::json{{"name", fresh("P")}}.dump(), headers(Who::admin));
    return key_response.json()["id"];
  }

  std::string fresh_device(Who who) {
    if (kPeople.count(who) == 0) return "00000000-0000-0000-0000-000000000000";
    auto response = world.client().post(
        "/v1/me/devices",
        nlohmann::json{{"platform", "android"}, {"push_token", fresh("fcm-token-")}}.dump(),
        headers(who));
    return response.json()["id"];
  }

  // A visitor of the matrix's resident, written directly: issuing one needs BMX.
  // An entry of the property's deny list, for the routes that remove one.
  std::string fresh_denial() {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    const auto id = tx.exec_params1(
                          "INSERT INTO denied_visitors (property_id, name, reason, "
                          "created_by) VALUES ($1, 'Dan', 'matrix', $2) RETURNING id",
                          property, resident_user)[0]
                        .as<std::string>();
    tx.commit();
    return id;
  }

  // A subscription (its secret is never opened here) and one delivered delivery of it.
  std::string fresh_webhook() {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    const auto id = tx.exec_params1(
                          "INSERT INTO webhook_subscriptions (id, property_id, url, events, "
                          "secret_key_id, secret_sealed) VALUES (gen_random_uuid(), $1, "
                          "'https://203.0.113.10/hook', '{visitor.arrived}', 'k', '\\x00') "
                          "RETURNING id",
                          property)[0]
                        .as<std::string>();
    tx.commit();
    return id;
  }

  std::string fresh_webhook_delivery(const std::string& webhook) {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    const auto id = tx.exec_params1(
                          "WITH e AS (INSERT INTO webhook_events (property_id, type, data) "
                          "VALUES ($1, 'visitor.arrived', '{}') RETURNING id) "
                          "INSERT INTO webhook_deliveries (subscription_id, event_id, status) "
                          "SELECT $2, e.id, 'delivered' FROM e RETURNING id",
                          property, webhook)[0]
                        .as<std::string>();
    tx.commit();
    return id;
  }

  std::string fresh_visitor() {
    pqxx::connection connection(server.database_url());
    pqxx::work tx(connection);
    const auto id = tx.exec_params1(
                          "INSERT INTO visitors (property_id, host_user_id, created_by, name, "
                          "access, starts_at, ends_at) VALUES ($1, $2, $2, 'Vera', "
                          "'property_only', now(), now() + interval '1 hour') RETURNING id",
                          property, resident_user)[0]
                        .as<std::string>();
    tx.exec_params(
        "INSERT INTO passes (visitor_id, property_id, via) VALUES ($1, $2, "
        "'resident_tenant')",
        id, property);
    tx.commit();
    return id;
  }

  // A call from the matrix's panel to its resident, ringing.
  std::string fresh_call() {
    auto response = world.client().post("/v1/panel/calls",
                                        nlohmann::json{{"entry_id", resident_residency}}.dump(),
                                        headers(Who::panel));
    if (response.status != 201) throw std::runtime_error("panel call: " + response.body);
    return response.json()["call_id"];
  }

  std::map<std::string, Entry> matrix() {
    const std::string p = "/v1/properties/" + property;
    const auto unit_id = world.unit(world.admin(), property, "M1");
    auto fixed = [](std::string path, nlohmann::json body = nullptr) {
      return [path, body](Who) { return Call{path, body}; };
    };
    const std::set<Who> managers = {Who::manager, Who::admin};
    const std::set<Who> office = {Who::staff, Who::manager, Who::admin};
    const std::set<Who> residents = {Who::resident, Who::other_resident};
    const auto mine = fresh_visitor();
    const auto call = fresh_call();
    const auto webhook = fresh_webhook();
    const std::string device =
        world.client()
            .post("/v1/me/devices", testing::iphone("matrix-device-1", false),
                  headers(Who::resident))
            .json()["id"];
    return {
        {"GET /healthz", {kEveryone, fixed("/healthz")}},
        {"GET /readyz", {kEveryone, fixed("/readyz")}},
        {"GET /metrics", {kEveryone, fixed("/metrics")}},
        {"GET /openapi.json", {kEveryone, fixed("/openapi.json")}},
        {"POST /v1/auth/login",
         {kEveryone, fixed("/v1/auth/login", {{"email", "x@example.com"}, {"password", "nope"}})}},
        {"POST /v1/auth/refresh", {kEveryone, fixed("/v1/auth/refresh", {{"refresh_token", "x"}})}},
        {"POST /v1/auth/activate",
         {kEveryone, fixed("/v1/auth/activate", {{"token", "x"}, {"password", "nope"}})}},
        {"GET /v1/me", {kPeople, fixed("/v1/me")}},
        {"POST /v1/me/devices",
         {kPeople,
          [this](Who) {
            return Call{"/v1/me/devices",
                        {{"platform", "ios"}, {"push_token", testing::apns_token(fresh("apns-"))}}};
          }}},
        {"DELETE /v1/me/devices/{id}",
         {kPeople,
          [this](Who who) {
            return Call{"/v1/me/devices/" + fresh_device(who), nullptr};
          }}},
        {"POST /v1/properties",
         {{Who::admin},
          [this](Who) {
            const auto site = fresh("site-");
            return Call{"/v1/properties",
                        {{"name", site}, {"site_name", site}, {"time_zone", "UTC"}}};
          }}},
        {"GET /v1/properties/{pid}",
         {{Who::resident, Who::visitor, Who::staff, Who::manager, Who::admin}, fixed(p)}},
        {"POST /v1/properties/{pid}/units",
         {office,
          [this, p](Who) {
            return Call{p + "/units", {{"label", fresh("L")}}};
          }}},
        {"GET /v1/properties/{pid}/units", {office, fixed(p + "/units")}},
        {"POST /v1/properties/{pid}/staff",
         {managers,
          [this, p](Who) {
            return Call{
                p + "/staff",
                {{"email", fresh("s") + "@example.com"}, {"display_name", "S"}, {"role", "staff"}}};
          }}},
        {"GET /v1/properties/{pid}/settings",
         {{Who::resident, Who::staff, Who::manager, Who::admin}, fixed(p + "/settings")}},
        {"PATCH /v1/properties/{pid}/settings",
         {managers, fixed(p + "/settings", {{"ring_timeout_seconds", 40}})}},
        {"POST /v1/properties/{pid}/panels",
         {managers, fixed(p + "/panels", {{"name", "Side door"}})}},
        {"DELETE /v1/properties/{pid}/panels/{id}",
         {managers,
          [this, p](Who) {
            return Call{p + "/panels/" + fresh_panel(), nullptr};
          }}},
        {"GET /v1/properties/{pid}/audit", {managers, fixed(p + "/audit")}},
        {"POST /v1/properties/{pid}/residents",
         {office,
          [this, p, unit_id](Who) {
            return Call{p + "/residents",
                        {{"unit_id", unit_id},
                         {"first_name", "M"},
                         {"last_name", fresh("N")},
                         {"email", fresh("m") + "@example.com"},
                         {"phone", "+15550001111"}}};
          }}},
        {"GET /v1/properties/{pid}/residents", {office, fixed(p + "/residents")}},
        {"GET /v1/residents/{rid}/diagnostics",
         {office, fixed("/v1/residents/" + resident_residency + "/diagnostics")}},
        // An admin's made-up code reaches BMX and is refused there (422).
        {"PUT /v1/properties/{pid}/integrations/bmx",
         {{Who::admin},
          fixed(p + "/integrations/bmx", {{"building_id", 1}, {"authorization_code", "made-up"}})}},
        {"GET /v1/properties/{pid}/integrations/bmx", {managers, fixed(p + "/integrations/bmx")}},
        {"POST /v1/properties/{pid}/integrations/bmx/requests",
         {managers, fixed(p + "/integrations/bmx/requests", {{"note", "It exists now."}})}},
        {"GET /v1/properties/{pid}/integrations/bmx/health",
         {managers, fixed(p + "/integrations/bmx/health")}},
        {"GET /v1/me/bmx", {residents, fixed("/v1/me/bmx")}},
        {"POST /v1/me/bmx", {residents, fixed("/v1/me/bmx", {{"code", "c"}, {"state", "s"}})}},
        {"DELETE /v1/me/bmx", {kPeople, fixed("/v1/me/bmx")}},
        // Residents add visitors; this one has no BMX link, so 409 bmx_login_required.
        {"POST /v1/me/visitors",
         {residents, fixed("/v1/me/visitors", {{"name", "Vera"},
                                               {"phone", "+15550002222"},
                                               {"access", "property_only"},
                                               {"starts_at", "2099-01-01T10:00:00Z"},
                                               {"ends_at", "2099-01-01T12:00:00Z"}})}},
        {"GET /v1/me/visitors", {kPeople, fixed("/v1/me/visitors")}},
        {"GET /v1/me/visitors/{id}", {{Who::resident}, fixed("/v1/me/visitors/" + mine), 404}},
        {"DELETE /v1/me/visitors/{id}",
         {{Who::resident},
          [this](Who) {
            return Call{"/v1/me/visitors/" + fresh_visitor(), nullptr};
          },
          404}},
        {"POST /v1/properties/{pid}/visitors",
         {office, fixed(p + "/visitors", {{"name", "Vic"},
                                          {"email", "vic@example.com"},
                                          {"starts_at", "2099-01-01T10:00:00Z"},
                                          {"ends_at", "2099-01-01T12:00:00Z"}})}},
        {"GET /v1/properties/{pid}/visitors", {office, fixed(p + "/visitors")}},
        {"DELETE /v1/properties/{pid}/visitors/{id}",
         {office,
          [this, p](Who) {
            return Call{p + "/visitors/" + fresh_visitor(), nullptr};
          }}},
        {"POST /v1/properties/{pid}/deny-list",
         {managers,
          [this, p](Who) {
            return Call{p + "/deny-list", {{"name", fresh("Banned ")}, {"reason", "matrix"}}};
          }}},
        {"GET /v1/properties/{pid}/deny-list", {office, fixed(p + "/deny-list")}},
        {"DELETE /v1/properties/{pid}/deny-list/{id}",
         {managers,
          [this, p](Who) {
            return Call{p + "/deny-list/" + fresh_denial(), nullptr};
          }}},
        {"POST /v1/properties/{pid}/webhooks",
         {managers, fixed(p + "/webhooks", {{"url", "https://203.0.113.10/hook"},
                                            {"events", {"visitor.arrived"}}})}},
        {"GET /v1/properties/{pid}/webhooks", {managers, fixed(p + "/webhooks")}},
        {"DELETE /v1/properties/{pid}/webhooks/{id}",
         {managers,
          [this, p](Who) {
            return Call{p + "/webhooks/" + fresh_webhook(), nullptr};
          }}},
        {"POST /v1/properties/{pid}/webhooks/{id}/rotate-secret",
         {managers, fixed(p + "/webhooks/" + webhook + "/rotate-secret")}},
        {"GET /v1/properties/{pid}/webhooks/{id}/deliveries",
         {managers, fixed(p + "/webhooks/" + webhook + "/deliveries")}},
        {"POST /v1/properties/{pid}/webhooks/{id}/deliveries/{did}/redeliver",
         {managers, fixed(p + "/webhooks/" + webhook + "/deliveries/" +
                          fresh_webhook_delivery(webhook) + "/redeliver")}},
        {"GET /v1/me/credentials", {kPeople, fixed("/v1/me/credentials")}},
        {"GET /p/{token}", {kEveryone, fixed("/p/" + std::string(32, 'a'))}},
        {"GET /v1/panel/directory", {{Who::panel}, fixed("/v1/panel/directory?q=a")}},
        {"PATCH /v1/me/directory", {residents, fixed("/v1/me/directory", {{"listed", true}})}},
        {"POST /v1/panel/calls",
         {{Who::panel}, fixed("/v1/panel/calls", {{"entry_id", resident_residency}})}},
        {"GET /v1/panel/calls/{id}", {{Who::panel}, fixed("/v1/panel/calls/" + call)}},
        {"POST /v1/panel/calls/{id}/cancel",
         {{Who::panel},
          [this](Who) {
            return Call{"/v1/panel/calls/" + fresh_call() + "/cancel", nullptr};
          }}},
        {"GET /v1/me/calls", {kPeople, fixed("/v1/me/calls")}},
        // Another person's call does not exist for them: 404.
        {"GET /v1/calls/{id}", {{Who::resident}, fixed("/v1/calls/" + call), 404}},
        {"POST /v1/calls/{id}/accept",
         {{Who::resident},
          [this, device](Who) {
            return Call{"/v1/calls/" + fresh_call() + "/accept",
                        {{"device_id", device}, {"media", "audio"}}};
          },
          404}},
        {"POST /v1/calls/{id}/deny",
         {{Who::resident},
          [this](Who) {
            return Call{"/v1/calls/" + fresh_call() + "/deny", nullptr};
          },
          404}},
        {"POST /v1/calls/{id}/open-door",
         {{Who::resident},
          [this](Who) {
            return Call{"/v1/calls/" + fresh_call() + "/open-door", nullptr};
          },
          404}},
        {"POST /v1/calls/{id}/hangup",
         {{Who::resident},
          [this](Who) {
            return Call{"/v1/calls/" + fresh_call() + "/hangup", nullptr};
          },
          404}},
        {"POST /v1/calls/{id}/media",
         {{Who::resident},
          [this](Who) {
            return Call{"/v1/calls/" + fresh_call() + "/media", {{"audio", false}}};
          },
          404}},
        {"GET /p/{token}/qr.svg", {kEveryone, fixed("/p/" + std::string(32, 'a') + "/qr.svg")}},
        // Public: the secret in the path is the credential; an unknown one is 404.
        {"POST /v1/webhooks/bmx/{secret}",
         {kEveryone,
          fixed("/v1/webhooks/bmx/" + std::string(64, '0'),
                {{"event",
                  {{"resource_type", "call"}, {"action", "create"}, {"data", {{"id", 1}}}}}})}},
        {"POST /v1/residents/{rid}/move-out",
         {office,
          [this](Who) {
            return Call{"/v1/residents/" + world.resident(property).residency_id + "/move-out",
                        nullptr};
          }}},
    };
  }

  TestServer server{testing::TestServerOptions{.bmx_sandbox = true}};
  World world;
  std::string property;
  std::string other_property;
  std::string resident_user;
  std::string resident_residency;
  std::map<Who, std::string> credentials;
  int counter = 0;
};

TEST_F(AuthorizationMatrix, EveryRouteAnswersEveryCallerAsItShould) {
  auto entries = matrix();
  for (const auto& route : server.app().router().routes()) {
    const std::string key = route.method + " " + route.pattern;
    auto entry = entries.find(key);
    if (entry == entries.end()) {
      ADD_FAILURE() << "no authorization matrix entry for " << key;
      continue;
    }
    const bool property_scoped = route.pattern.find("{pid}") != std::string::npos ||
                                 route.pattern.find("{rid}") != std::string::npos;
    for (Who who : kEveryone) {
      const auto call = entry->second.call(who);
      const auto response = world.client().send(
          route.method, call.path, call.body.is_null() ? "" : call.body.dump(), headers(who));
      const std::string context = key + " as " + kNames.at(who) + ": " +
                                  std::to_string(response.status) + " " + response.body;
      EXPECT_LT(response.status, 500) << context;
      const bool denied =
          response.status == 401 || response.status == 403 || response.status == 404;
      if (entry->second.allowed == kEveryone) continue;
      if (entry->second.allowed.count(who) != 0) {
        EXPECT_FALSE(denied) << context;
        continue;
      }
      if (who == Who::anonymous || who == Who::unknown_panel_key || who == Who::garbage) {
        EXPECT_EQ(response.status, 401) << context;
      } else if (who == Who::panel) {
        EXPECT_EQ(response.status, 403) << context;
      } else if (property_scoped && lives_elsewhere(who)) {
        EXPECT_EQ(response.status, 404) << context;
      } else {
        EXPECT_EQ(response.status, entry->second.denied_status) << context;
      }
    }
  }
  for (const auto& [key, entry] : entries) {
    bool routed = false;
    for (const auto& route : server.app().router().routes()) {
      routed = routed || route.method + " " + route.pattern == key;
    }
    EXPECT_TRUE(routed) << "matrix entry for a route that does not exist: " << key;
  }
}

TEST_F(AuthorizationMatrix, AnotherPropertysIdsLookLikeNothingThere) {
  // The same answer for a property that exists elsewhere and one that never existed.
  const auto elsewhere =
      world.client().get("/v1/properties/" + other_property + "/residents", headers(Who::manager));
  const auto nowhere = world.client().get(
      "/v1/properties/11111111-1111-1111-1111-111111111111/residents", headers(Who::manager));
  EXPECT_EQ(elsewhere.status, 404);
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(elsewhere.json()["detail"], nowhere.json()["detail"]);
  // A malformed id is simply not found too.
  EXPECT_EQ(world.client()
                .get("/v1/properties/1%27%20OR%20%271%27=%271/residents", headers(Who::manager))
                .status,
            404);
}

}  // namespace
}  // namespace frontdoor
