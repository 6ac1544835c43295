#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http_client.hpp"
#include "sandbox_process.hpp"
#include "world.hpp"

namespace frontdoor::testing {

// The BMX side of a test property, done the way people do it: the operator's
// site set-up with the building admin's code, and residents signing in to BMX
// on the sandbox's authorize page.
class BmxWorld {
 public:
  BmxWorld(HttpClient frontdoor, SandboxProcess& sandbox);

  // Seeds "Maple Court" with admin boss@bmx.test, a tenant per (email,
  // preference) in units 101, 102..., and the placeholder tenant for `site_name`.
  nlohmann::json seed_building(const std::string& site_name,
                               const std::vector<std::pair<std::string, std::string>>& tenants);
  // PUT /v1/properties/{pid}/integrations/bmx as the admin; throws unless 200.
  void set_up_site(const std::string& property_id, const nlohmann::json& building,
                   const std::string& admin_token);
  // GET /v1/me/bmx, sign in at the sandbox as `bmx_email`, POST /v1/me/bmx. A
  // resident of several properties names the one (`property_id`).
  void link(const std::string& resident_token, const std::string& bmx_email,
            const std::string& property_id = {});
  // A building admin's BMX access token, to look at BMX as it is.
  std::string admin_token();

 private:
  HttpClient frontdoor_;
  SandboxProcess& sandbox_;
};

}  // namespace frontdoor::testing
