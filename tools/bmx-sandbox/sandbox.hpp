#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/http/router.hpp"

namespace bmx_sandbox {

struct Options {
  std::string client_id = "frontdoor";
  std::string client_secret = "sandbox-secret";
};

// The stand-in for ButterflyMX: the v4 API subset frontdoor uses, OAuth, and the
// /_sandbox/ control routes of CONTRACT.md. State lives in memory; every /v4 and
// /oauth request is recorded for tests to inspect.
//
// This slice: OAuth (authorization_code and refresh_token grants, rotating refresh
// tokens, 24 h access tokens), buildings, tenants, and the control routes to seed
// buildings, mint authorization codes, list requests and reset.
class Sandbox {
 public:
  explicit Sandbox(Options options);
  void add_routes(frontdoor::http::Router& router);

 private:
  struct Unit {
    std::int64_t id;
    std::int64_t building_id;
    std::string label;
    std::string floor;
    std::string created_at;
  };
  struct Tenant {
    std::int64_t id;
    std::int64_t unit_id;
    std::int64_t building_id;
    std::string first_name;
    std::string last_name;
    std::string email;
    std::string phone;
    std::string contact_preference;
    std::string created_at;
  };
  struct Building {
    std::int64_t id;
    std::string name;
    std::string time_zone;
    std::string created_at;
  };
  struct Token {
    std::string email;
    std::chrono::system_clock::time_point expires_at;
  };

  std::int64_t next_id();
  nlohmann::json building_json(const Building& building) const;
  nlohmann::json tenant_json(const Tenant& tenant) const;
  nlohmann::json issue_token(const std::string& email);
  // The bearer's e-mail, or nullopt when the token is unknown or expired.
  std::optional<std::string> bearer(const frontdoor::http::Request& request);
  void record(const frontdoor::http::Request& request);

  Options options_;
  std::mutex mutex_;
  std::int64_t last_id_ = 10000000;
  std::map<std::int64_t, Building> buildings_;
  std::map<std::int64_t, Unit> units_;
  std::map<std::int64_t, Tenant> tenants_;
  std::map<std::string, std::string> codes_;           // code → e-mail
  std::map<std::string, Token> access_tokens_;         // token → holder
  std::map<std::string, std::string> refresh_tokens_;  // token → e-mail
  std::vector<nlohmann::json> requests_;
};

}  // namespace bmx_sandbox
