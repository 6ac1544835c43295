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
#include "frontdoor/http/json.hpp"
#include "store.hpp"

namespace frontdoor::bmx {
namespace {

using auth::Action;
using auth::Policy;
using common::ApiError;

}  // namespace

SiteIntegration BmxService::set_up(const auth::Principal& actor, const std::string& property_id,
                                   std::int64_t building_id, const std::string& code) {
  Policy::require(actor, Action::configure_bmx, property_id);
  const auto site_name = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    auto name = store::site_name(tx, property_id);
    if (!name) throw ApiError::not_found();
    if (store::building_taken(tx, building_id, property_id)) {
      throw ApiError::conflict("bmx_building_taken",
                               "Another property is already connected to this BMX building.");
    }
    return *name;
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
    const auto configured_at = store::upsert_integration(
        tx, {property_id, building_id, building.name, credentials_.store(tx, grant),
             placeholder.unit_id, placeholder.id, common::sha256_hex(secret), webhook.id,
             actor.user_id});
    audit_.record(tx, actor,
                  {property_id,
                   "bmx.site_set_up",
                   "property",
                   property_id,
                   {{"building_id", building_id}, {"placeholder_tenant_id", placeholder.id}}});
    tx.commit();
    return SiteIntegration{email, Site{building_id, building.name, placeholder.unit_id,
                                       placeholder.id, configured_at}};
  });
}

SiteIntegration BmxService::integration(const auth::Principal& actor,
                                        const std::string& property_id) {
  Policy::require(actor, Action::view_bmx_health, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    const auto name = store::site_name(tx, property_id);
    if (!name) throw ApiError::not_found();
    return SiteIntegration{placeholder_email(*name), store::site(tx, property_id)};
  });
}

SetUpRequest BmxService::request_set_up(const auth::Principal& actor,
                                        const std::string& property_id,
                                        const std::optional<std::string>& building_name,
                                        const std::optional<std::string>& note) {
  Policy::require(actor, Action::request_bmx_setup, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto name = store::site_name(tx, property_id);
    if (!name) throw ApiError::not_found();
    const auto created =
        store::insert_set_up_request(tx, property_id, actor.user_id, building_name, note);
    audit_.record(tx, actor,
                  {property_id,
                   "bmx.set_up_requested",
                   "property",
                   property_id,
                   {{"building_name", http::text_or_null(building_name)}}});
    tx.commit();
    return SetUpRequest{created.id,    property_id, placeholder_email(*name),
                        building_name, note,        created.created_at};
  });
}

}  // namespace frontdoor::bmx
