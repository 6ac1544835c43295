// A property's site set-up: the building admin's sign-in, the placeholder tenant
// and the webhook registration, and a manager's request to the operator.
#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::bmx {
namespace {

using auth::Action;
using auth::Policy;
using common::ApiError;

}  // namespace

nlohmann::json BmxService::set_up(const auth::Principal& actor, const std::string& property_id,
                                  std::int64_t building_id, const std::string& code) {
  Policy::require(actor, Action::configure_bmx, property_id);
  const auto site_name = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    auto rows = tx.exec_prepared("bmx_property_site", property_id);
    if (rows.empty()) throw ApiError::not_found();
    if (!tx.exec_prepared("bmx_building_taken", building_id, property_id).empty()) {
      throw ApiError::conflict("bmx_building_taken",
                               "Another property is already connected to this BMX building.");
    }
    return rows[0][0].as<std::string>();
  });

  // BMX first, with no database connection held: it may be slow.
  TokenGrant grant;
  try {
    grant = client_.exchange_code(code);
  } catch (const BmxError& error) {
    if (error.kind() != ErrorKind::unauthorized) throw;
    throw ApiError::unprocessable(
        "bmx_authorization_invalid",
        "BMX did not accept the authorization code. Codes work once and expire quickly: "
        "sign in to BMX as the building admin again and use the new code.",
        {{"authorization_code", "invalid", "BMX refused this code."}});
  }
  GrantToken as(grant);
  Building building;
  try {
    building = client_.get_building(as, building_id);
  } catch (const BmxError& error) {
    if (error.kind() != ErrorKind::not_found) throw;
    throw ApiError::unprocessable(
        "bmx_building_not_found",
        "This BMX account cannot see building " + std::to_string(building_id) +
            ". Check the building id and sign in as one of its building admins.",
        {{"building_id", "not_found", "No such building for this BMX account."}});
  }
  const auto email = placeholder_email(site_name);
  auto tenants = client_.find_tenants(as, {email, building_id, std::nullopt});
  if (tenants.empty()) {
    throw ApiError::unprocessable(
        "placeholder_tenant_not_found",
        "BMX building '" + building.name + "' has no tenant with the e-mail " + email +
            ". In the BMX dashboard, add a unit for frontdoor's visitors (for example "
            "'frontdoor') and a tenant in it with exactly that e-mail, then sign in to BMX "
            "again and repeat the set-up with the new authorization code.");
  }
  const auto& placeholder = tenants.front();

  // The webhook registration: the secret in its URL is how frontdoor knows the
  // property, so it is new on every set-up and only its hash is kept.
  const auto secret = common::random_hex(32);
  for (const auto& existing : client_.list_building_integrations(as, building_id)) {
    if (existing.url.rfind(settings_.webhook_base_url + "/v1/webhooks/bmx/", 0) == 0) {
      client_.delete_building_integration(as, building_id, existing.id);
    }
  }
  const auto webhook = client_.create_building_webhook(
      as, building_id, settings_.webhook_base_url + "/v1/webhooks/bmx/" + secret);

  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto credential_id = credentials_.store(tx, grant);
    const auto configured_at =
        tx.exec_prepared1("bmx_integration_upsert", property_id, building_id, building.name,
                          credential_id, placeholder.unit_id, placeholder.id,
                          common::sha256_hex(secret), webhook.id, actor.user_id)[0]
            .as<std::string>();
    audit_.record(tx, actor,
                  {property_id,
                   "bmx.site_set_up",
                   "property",
                   property_id,
                   {{"building_id", building_id}, {"placeholder_tenant_id", placeholder.id}}});
    tx.commit();
    return nlohmann::json{{"status", "active"},
                          {"building_id", building_id},
                          {"building_name", building.name},
                          {"placeholder_unit_id", placeholder.unit_id},
                          {"placeholder_tenant_id", placeholder.id},
                          {"placeholder_email", email},
                          {"configured_at", configured_at}};
  });
}

nlohmann::json BmxService::integration(const auth::Principal& actor,
                                       const std::string& property_id) {
  Policy::require(actor, Action::view_bmx_health, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    auto site = tx.exec_prepared("bmx_property_site", property_id);
    if (site.empty()) throw ApiError::not_found();
    const auto email = placeholder_email(site[0][0].as<std::string>());
    auto rows = tx.exec_prepared("bmx_integration_get", property_id);
    if (rows.empty()) {
      return nlohmann::json{{"status", "not_configured"}, {"placeholder_email", email}};
    }
    const auto& row = rows[0];
    return nlohmann::json{{"status", "active"},
                          {"building_id", row[0].as<std::int64_t>()},
                          {"building_name", row[1].as<std::string>()},
                          {"placeholder_unit_id", row[2].as<std::int64_t>()},
                          {"placeholder_tenant_id", row[3].as<std::int64_t>()},
                          {"placeholder_email", email},
                          {"configured_at", row[6].as<std::string>()}};
  });
}

nlohmann::json BmxService::request_set_up(const auth::Principal& actor,
                                          const std::string& property_id,
                                          const std::optional<std::string>& building_name,
                                          const std::optional<std::string>& note) {
  Policy::require(actor, Action::request_bmx_setup, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto site = tx.exec_prepared("bmx_property_site", property_id);
    if (site.empty()) throw ApiError::not_found();
    auto row = tx.exec_prepared1("bmx_setup_request_insert", property_id, actor.user_id,
                                 building_name, note);
    const auto email = placeholder_email(site[0][0].as<std::string>());
    audit_.record(tx, actor,
                  {property_id,
                   "bmx.set_up_requested",
                   "property",
                   property_id,
                   {{"building_name", building_name ? nlohmann::json(*building_name) : nullptr}}});
    tx.commit();
    return nlohmann::json{
        {"id", row[0].as<std::string>()},
        {"property_id", property_id},
        {"placeholder_email", email},
        {"building_name", building_name ? nlohmann::json(*building_name) : nullptr},
        {"note", note ? nlohmann::json(*note) : nullptr},
        {"created_at", row[1].as<std::string>()}};
  });
}

}  // namespace frontdoor::bmx
