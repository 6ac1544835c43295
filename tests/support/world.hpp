#pragma once

#include <string>

#include "test_server.hpp"

namespace frontdoor::testing {

// Someone logged in: their access token and ids.
struct Account {
  std::string email;
  std::string password;
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
  std::string residency_id;  // for residents
  HttpClient::Headers auth() const { return {{"Authorization", "Bearer " + access_token}}; }
};

// Builds people and properties the way the apps do: through the real API, with
// invitations activated from the token in the queued e-mail.
class World {
 public:
  explicit World(TestServer& server);

  Account admin();
  // A property created by the admin; returns its id.
  std::string property(const std::string& site_name);
  std::string unit(const Account& actor, const std::string& property_id, const std::string& label);
  Account staff(const std::string& property_id, const std::string& role);  // "manager"/"staff"
  Account resident(const std::string& property_id, const std::string& first_name = "Ann",
                   const std::string& last_name = "Resident");
  // A resident moved into this unit (roommates share one).
  Account resident_in(const std::string& property_id, const std::string& unit_id,
                      const std::string& first_name, const std::string& last_name);
  // A panel key for the property.
  std::string panel_key(const std::string& property_id);

  // The token= value of the newest invitation e-mail queued for this address.
  std::string invite_token_for(const std::string& email);
  Account activate(const std::string& email, const std::string& token);
  Account login(const std::string& email, const std::string& password);

  HttpClient& client() { return client_; }

 private:
  std::string unique(const std::string& prefix);
  // The account behind a token-pair response (login or activation).
  Account signed_in(const std::string& email, const std::string& password,
                    const HttpResponse& tokens);

  TestServer& server_;
  HttpClient client_;
  std::optional<Account> admin_;
  int counter_ = 0;
};

// An APNs token (64 hex characters) made from a readable label, so that a test can
// find the pushes a device received at the sandbox.
std::string apns_token(const std::string& label);
// A device registration body for an iPhone with a push and a VoIP token.
std::string iphone(const std::string& label, bool voip = true);

// Runs one SQL statement against the server's database and returns the first column.
std::string query_value(const std::string& database_url, const std::string& sql);

}  // namespace frontdoor::testing
