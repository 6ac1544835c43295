#include "bmx_world.hpp"

#include <boost/url/url.hpp>
#include <stdexcept>

namespace frontdoor::testing {

BmxWorld::BmxWorld(HttpClient frontdoor, SandboxProcess& sandbox)
    : frontdoor_(std::move(frontdoor)), sandbox_(sandbox) {}

nlohmann::json BmxWorld::seed_building(
    const std::string& site_name, const std::vector<std::pair<std::string, std::string>>& tenants) {
  nlohmann::json units = nlohmann::json::array();
  int label = 101;
  for (const auto& [email, preference] : tenants) {
    units.push_back({{"label", std::to_string(label++)},
                     {"tenants",
                      {{{"first_name", email.substr(0, email.find('@'))},
                        {"last_name", "Tenant"},
                        {"email", email},
                        {"contact_preference", preference}}}}});
  }
  units.push_back({{"label", "frontdoor"},
                   {"tenants",
                    {{{"first_name", "Visitors"},
                      {"last_name", site_name},
                      {"email", "butterflymx+" + site_name + "@frontdoor.example"}}}}});
  return sandbox_.seed_building(
      {{"name", "Maple Court"}, {"admins", {"boss@bmx.test"}}, {"units", units}});
}

void BmxWorld::set_up_site(const std::string& property_id, const nlohmann::json& building,
                           const std::string& admin_token) {
  auto response =
      frontdoor_.send("PUT", "/v1/properties/" + property_id + "/integrations/bmx",
                      nlohmann::json{{"building_id", building["id"]},
                                     {"authorization_code", sandbox_.code_for("boss@bmx.test")}}
                          .dump(),
                      {{"Authorization", "Bearer " + admin_token}});
  if (response.status != 200) throw std::runtime_error("site set-up: " + response.body);
}

void BmxWorld::link(const std::string& resident_token, const std::string& bmx_email,
                    const std::string& property_id) {
  const HttpClient::Headers auth = {{"Authorization", "Bearer " + resident_token}};
  auto status =
      frontdoor_
          .get("/v1/me/bmx" + (property_id.empty() ? "" : "?property_id=" + property_id), auth)
          .json();
  if (!status.contains("authorize_url")) throw std::runtime_error("BMX status: " + status.dump());
  boost::urls::url url(status["authorize_url"].get<std::string>());
  std::string form = "email=" + bmx_email;
  for (auto param : url.params()) {
    form += "&" + std::string(param.key) + "=" + std::string(param.value);
  }
  auto redirect = sandbox_.client().post("/oauth/authorize", form,
                                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (redirect.status != 302) throw std::runtime_error("BMX sign-in: " + redirect.body);
  boost::urls::url back(redirect.header("location"));
  nlohmann::json body;
  for (auto param : back.params()) body[std::string(param.key)] = std::string(param.value);
  auto linked = frontdoor_.post("/v1/me/bmx", body.dump(), auth);
  if (linked.status != 200) throw std::runtime_error("BMX link: " + linked.body);
}

std::string BmxWorld::admin_token() {
  return sandbox_.client()
      .post("/oauth/token",
            "grant_type=authorization_code&client_id=frontdoor&client_secret=sandbox-secret"
            "&code=" +
                sandbox_.code_for("boss@bmx.test"),
            {{"Content-Type", "application/x-www-form-urlencoded"}})
      .json()["access_token"];
}

}  // namespace frontdoor::testing
