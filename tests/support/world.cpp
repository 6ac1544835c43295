#include "world.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <regex>
#include <stdexcept>

#include "frontdoor/common/random.hpp"

namespace frontdoor::testing {
namespace {

constexpr const char* kPassword = "a long enough passphrase";

void require_status(const HttpResponse& response, int status, const std::string& what) {
  if (response.status != status) {
    throw std::runtime_error(what + ": expected " + std::to_string(status) + ", got " +
                             std::to_string(response.status) + " " + response.body);
  }
}

}  // namespace

std::string query_value(const std::string& database_url, const std::string& sql) {
  pqxx::connection connection(database_url);
  pqxx::nontransaction tx(connection);
  auto rows = tx.exec(sql);
  if (rows.empty() || rows[0][0].is_null()) return {};
  return rows[0][0].as<std::string>();
}

std::string apns_token(const std::string& label) { return common::sha256_hex(label); }

std::string iphone(const std::string& label, bool voip) {
  nlohmann::json body = {{"platform", "ios"}, {"push_token", apns_token("apns-" + label)}};
  if (voip) body["voip_token"] = apns_token("voip-" + label);
  return body.dump();
}

World::World(TestServer& server) : server_(server), client_(server.client()) {}

std::string World::unique(const std::string& prefix) { return prefix + std::to_string(++counter_); }

Account World::login(const std::string& email, const std::string& password) {
  auto response = client_.post("/v1/auth/login",
                               nlohmann::json{{"email", email}, {"password", password}}.dump());
  require_status(response, 200, "login " + email);
  return signed_in(email, password, response);
}

Account World::signed_in(const std::string& email, const std::string& password,
                         const HttpResponse& tokens) {
  auto body = tokens.json();
  Account account{email, password, "", body["access_token"], body["refresh_token"], ""};
  account.user_id = client_.get("/v1/me", account.auth()).json()["id"];
  return account;
}

Account World::admin() {
  if (!admin_) {
    server_.app().accounts().create_admin("admin@example.com", kPassword);
    admin_ = login("admin@example.com", kPassword);
  }
  return *admin_;
}

std::string World::property(const std::string& site_name) {
  auto response = client_.post(
      "/v1/properties",
      nlohmann::json{
          {"name", "The " + site_name}, {"site_name", site_name}, {"time_zone", "America/New_York"}}
          .dump(),
      admin().auth());
  require_status(response, 201, "create property");
  return response.json()["id"];
}

std::string World::unit(const Account& actor, const std::string& property_id,
                        const std::string& label) {
  auto response = client_.post("/v1/properties/" + property_id + "/units",
                               nlohmann::json{{"label", label}}.dump(), actor.auth());
  require_status(response, 201, "create unit");
  return response.json()["id"];
}

std::string World::invite_token_for(const std::string& email) {
  const auto text = query_value(
      server_.database_url(),
      "SELECT payload->>'text' FROM outbox WHERE channel = 'email' AND payload->>'to' = '" + email +
          "' ORDER BY created_at DESC LIMIT 1");
  std::smatch match;
  if (!std::regex_search(text, match, std::regex("token=([0-9a-f]{64})"))) {
    throw std::runtime_error("no invitation e-mail for " + email);
  }
  return match[1];
}

Account World::activate(const std::string& email, const std::string& token) {
  auto response = client_.post("/v1/auth/activate",
                               nlohmann::json{{"token", token}, {"password", kPassword}}.dump());
  require_status(response, 200, "activate " + email);
  return signed_in(email, kPassword, response);
}

Account World::staff(const std::string& property_id, const std::string& role) {
  const auto email = unique(role) + "@example.com";
  auto response = client_.post(
      "/v1/properties/" + property_id + "/staff",
      nlohmann::json{{"email", email}, {"display_name", "Pat " + role}, {"role", role}}.dump(),
      admin().auth());
  require_status(response, 201, "invite " + role);
  return activate(email, invite_token_for(email));
}

Account World::resident(const std::string& property_id, const std::string& first_name,
                        const std::string& last_name) {
  return resident_in(property_id, unit(admin(), property_id, unique("U")), first_name, last_name);
}

Account World::resident_in(const std::string& property_id, const std::string& unit_id,
                           const std::string& first_name, const std::string& last_name) {
  const auto email = unique("resident") + "@example.com";
  auto response = client_.post("/v1/properties/" + property_id + "/residents",
                               nlohmann::json{{"unit_id", unit_id},
                                              {"first_name", first_name},
                                              {"last_name", last_name},
                                              {"email", email},
                                              {"phone", "+15551230000"}}
                                   .dump(),
                               admin().auth());
  require_status(response, 201, "move in");
  auto account = activate(email, invite_token_for(email));
  account.residency_id = response.json()["id"];
  return account;
}

std::string World::panel_key(const std::string& property_id) {
  auto response = client_.post("/v1/properties/" + property_id + "/panels",
                               nlohmann::json{{"name", unique("Lobby ")}}.dump(), admin().auth());
  require_status(response, 201, "create panel");
  return response.json()["api_key"];
}

}  // namespace frontdoor::testing
