#include "frontdoor/bmx/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/bmx/webhook_event.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/client.hpp"
#include "store.hpp"

namespace frontdoor::bmx {
namespace {

using auth::Action;
using auth::Policy;
using common::ApiError;

constexpr auto kLinkStateLifetime = std::chrono::minutes(15);
// How long a contact preference read from BMX is trusted before it is read again.
constexpr auto kPreferenceFreshFor = std::chrono::seconds(60);

nlohmann::json text_or_null(const pqxx::field& field) {
  return field.is_null() ? nlohmann::json(nullptr) : nlohmann::json(field.as<std::string>());
}

// A resident's link as the app sees it (CONTRACT.md, "Resident link").
nlohmann::json linked_status(std::int64_t tenant_id, std::int64_t building_id,
                             const std::string& contact_preference, const std::string& linked_at) {
  return {{"linked", true},
          {"tenant_id", tenant_id},
          {"building_id", building_id},
          {"contact_preference", contact_preference},
          // Phone Calls in BMX means BMX rings the phone number: no video, no app call.
          {"video_calls_ready", contact_preference == "mobile_app"},
          {"linked_at", linked_at}};
}

}  // namespace

BmxService::BmxService(db::Pool& pool, BmxClient& client, const Credentials& credentials,
                       const audit::AuditTrail& audit, const common::Clock& clock,
                       ServiceSettings settings)
    : pool_(pool),
      client_(client),
      credentials_(credentials),
      audit_(audit),
      clock_(clock),
      settings_(std::move(settings)) {
  store::prepare(pool_);
}

std::string BmxService::placeholder_email(const std::string& site_name) const {
  return "butterflymx+" + site_name + "@" + settings_.placeholder_email_domain;
}

// ---------------------------------------------------------------------------
// Site set-up

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

nlohmann::json BmxService::health(const auth::Principal& actor, const std::string& property_id) {
  Policy::require(actor, Action::view_bmx_health, property_id);
  auto health = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    if (tx.exec_prepared("bmx_property_site", property_id).empty()) throw ApiError::not_found();
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& row : tx.exec_prepared("bmx_errors_for", property_id)) {
      errors.push_back({{"operation", row[0].as<std::string>()},
                        {"kind", row[1].as<std::string>()},
                        {"bmx_status", row[2].is_null() ? 0 : row[2].as<int>()},
                        {"detail", row[3].as<std::string>()},
                        {"bmx_request_id", text_or_null(row[4])},
                        {"occurred_at", row[5].as<std::string>()}});
    }
    auto requests = tx.exec_prepared1("bmx_setup_requests_for", property_id);
    nlohmann::json result = {{"circuit_state", client_.circuit_state()},
                             {"last_errors", errors},
                             {"set_up_requests", requests[0].as<int>()},
                             {"last_set_up_request_at", text_or_null(requests[1])}};
    auto rows = tx.exec_prepared("bmx_health", property_id);
    if (rows.empty()) {
      result["status"] = "not_configured";
      return result;
    }
    const auto& row = rows[0];
    const bool revoked = !row[3].is_null();
    result["status"] = revoked ? "sign_in_required" : "active";
    result["building_id"] = row[0].as<std::int64_t>();
    result["building_name"] = row[1].as<std::string>();
    result["token"] = {{"valid", !revoked},
                       {"access_expires_at", row[2].as<std::string>()},
                       {"revoked_at", text_or_null(row[3])}};
    result["last_webhook_at"] = text_or_null(row[4]);
    result["configured_at"] = row[5].as<std::string>();
    result["webhooks_waiting"] = row[6].as<int>();
    return result;
  });
  for (const auto& [name, section] : health_sections_) health[name] = section(property_id);
  return health;
}

void BmxService::add_health_section(std::string name, HealthSection section) {
  health_sections_.emplace_back(std::move(name), std::move(section));
}

long long BmxService::sweep_link_states(std::chrono::seconds retention) {
  return db::sweep(pool_, "bmx_sweep_link_states", retention.count());
}

void BmxService::record_failure(const TokenSource* as, const BmxError& error) {
  if (!as || as->property_id().empty()) return;
  try {
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      tx.exec_prepared("bmx_error_record", as->property_id(), error.operation(),
                       to_string(error.kind()), error.bmx_status(), error.detail(),
                       error.request_id().empty() ? std::optional<std::string>()
                                                  : std::optional(error.request_id()));
    });
  } catch (const std::exception& failure) {
    // Support's history is not worth failing the caller's request over.
    common::log::warn("could not record a bmx error", {{"error", failure.what()}});
  }
}

// ---------------------------------------------------------------------------
// Resident links

std::string BmxService::new_link_state(const std::string& user_id, const std::string& property_id) {
  const auto state = common::random_hex(24);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared("bmx_state_insert", user_id, common::sha256_hex(state),
                     common::to_sql_timestamp(clock_.now() + kLinkStateLifetime), property_id);
  });
  return state;
}

std::string BmxService::authorize_url(const std::string& user_id, const std::string& property_id) {
  const auto state = new_link_state(user_id, property_id);
  return settings_.accounts_url +
         "/oauth/authorize?client_id=" + http::form_encode(settings_.client_id) +
         "&redirect_uri=" + http::form_encode(settings_.redirect_uri) +
         "&response_type=code&state=" + state;
}

nlohmann::json BmxService::unlinked_status(const std::string& user_id,
                                           const std::string& property_id) {
  return {{"linked", false},
          {"property_id", property_id},
          {"authorize_url", authorize_url(user_id, property_id)}};
}

std::optional<BmxAccess> BmxService::resident_access(const std::string& user_id,
                                                     const std::string& property_id) {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_link_access", user_id, property_id);
  });
  return access_from(rows, property_id);
}

std::optional<BmxAccess> BmxService::access_from(const pqxx::result& rows,
                                                 const std::string& property_id) const {
  if (rows.empty()) return std::nullopt;
  return BmxAccess{credentials_.source(rows[0][0].as<std::string>(), property_id),
                   rows[0][1].as<std::int64_t>(), rows[0][2].as<std::int64_t>()};
}

std::optional<BmxAccess> BmxService::door_access(const std::string& user_id,
                                                 const std::string& property_id) {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_door_access", user_id, property_id);
  });
  return access_from(rows, property_id);
}

std::optional<std::int64_t> BmxService::find_access_point(BmxAccess& access,
                                                          std::int64_t device_id) {
  // Doors are released by access point, not by device (a device may open several).
  for (const auto& point : client_.list_access_points(*access.token, access.building_id)) {
    for (auto id : point.device_ids) {
      if (id == device_id) return point.id;
    }
  }
  return std::nullopt;
}

std::int64_t BmxService::release_door(BmxAccess& access, std::int64_t access_point_id) {
  return client_.release_door(*access.token, access.tenant_id, access_point_id).id;
}

std::optional<std::int64_t> BmxService::find_keychain(BmxAccess& access, const std::string& name) {
  auto found = client_.find_keychains(*access.token, name);
  if (found.empty()) return std::nullopt;
  return found.front().id;
}

std::int64_t BmxService::create_keychain(BmxAccess& access, const std::string& name,
                                         common::TimePoint starts_at, common::TimePoint ends_at) {
  return client_
      .create_keychain(*access.token, {"custom", name, access.tenant_id, starts_at, ends_at, {}})
      .id;
}

VirtualKey BmxService::issue_key(BmxAccess& access, std::int64_t keychain_id,
                                 const std::string& name, const std::optional<std::string>& email) {
  // One key per keychain: a retry reuses the key an earlier attempt made.
  const auto keychain = client_.get_keychain(*access.token, keychain_id);
  if (!keychain.virtual_key_ids.empty()) {
    return client_.get_virtual_key(*access.token, keychain.virtual_key_ids.front());
  }
  try {
    return client_.create_virtual_key(*access.token, {keychain_id, name, email, std::nullopt});
  } catch (const BmxError& error) {
    if (!is_transient(error.kind())) delete_keychain(access, keychain_id);
    throw;
  }
}

void BmxService::delete_keychain(BmxAccess& access, std::int64_t keychain_id) {
  try {
    client_.delete_keychain(*access.token, keychain_id);
  } catch (const BmxError& error) {
    if (error.kind() != ErrorKind::not_found) throw;
  }
}

void BmxService::delete_keychains_named(BmxAccess& access, const std::string& name,
                                        std::optional<std::int64_t> keep) {
  for (const auto& found : client_.find_keychains(*access.token, name)) {
    if (!keep || found.id != *keep) delete_keychain(access, found.id);
  }
}

int BmxService::key_uses(BmxAccess& access, std::int64_t key_id) {
  return client_.get_virtual_key(*access.token, key_id).usage_count;
}

std::optional<BmxAccess> BmxService::site_access(const std::string& property_id) {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_site_access", property_id);
  });
  return access_from(rows, property_id);
}

bool BmxService::is_set_up(pqxx::work& tx, const std::string& property_id) const {
  return !tx.exec_prepared("bmx_site_access", property_id).empty();
}

bool BmxService::is_linked(pqxx::work& tx, const std::string& user_id,
                           const std::string& property_id) const {
  return !tx.exec_prepared("bmx_link_access", user_id, property_id).empty();
}

nlohmann::json BmxService::link_status(const auth::Principal& actor,
                                       const std::optional<std::string>& property) {
  // BMX links belong to residencies: they are what lets a visitor in or a call ring.
  const auto property_id = Policy::resident_property(actor, property);
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_link_get", actor.user_id,
                            common::to_sql_timestamp(clock_.now() - kPreferenceFreshFor),
                            property_id);
  });
  if (rows.empty()) return unlinked_status(actor.user_id, property_id);
  const auto& row = rows[0];
  const auto tenant_id = row[3].as<std::int64_t>();
  auto preference = row[5].as<std::string>();
  // The preference lives in BMX and the resident may change it there at any
  // time: look again when the stored one is older than kPreferenceFreshFor.
  if (row[7].as<bool>()) {
    try {
      auto as = credentials_.source(row[1].as<std::string>(), property_id);
      preference = client_.get_tenant(*as, tenant_id).contact_preference;
      pool_.run([&](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        tx.exec_prepared("bmx_link_checked", actor.user_id, preference,
                         common::to_sql_timestamp(clock_.now()), property_id);
      });
    } catch (const BmxError& error) {
      if (error.kind() == ErrorKind::unauthorized) {
        // BMX no longer honours this sign-in: the link is gone, say so.
        pool_.run([&](pqxx::connection& connection) {
          pqxx::work tx(connection);
          tx.exec_prepared("bmx_link_delete", actor.user_id, property_id);
          audit_.record(tx, actor, {property_id, "bmx.link_lost", "user", actor.user_id, {}});
          tx.commit();
        });
        return unlinked_status(actor.user_id, property_id);
      }
      // BMX is away: answer with what we knew.
    }
  }
  auto status =
      linked_status(tenant_id, row[2].as<std::int64_t>(), preference, row[6].as<std::string>());
  status["property_id"] = property_id;
  const bool both_apps = row[8].as<bool>();
  // iOS shows only the first app's call screen: with the BMX app also installed,
  // calls seem not to arrive here.
  if (both_apps) {
    status["notice"] =
        "The ButterflyMX app is also installed on one of your phones. iOS shows only one "
        "app's incoming call, so calls may not ring here: in Settings, Notifications, "
        "ButterflyMX, turn off notifications (or remove the ButterflyMX app).";
  }
  return status;
}

nlohmann::json BmxService::link(const auth::Principal& actor, const std::string& code,
                                const std::string& state) {
  Policy::require_resident(actor);
  auto site = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    // The state proves this sign-in started from this user's own authorize URL,
    // and says for which of their homes.
    auto taken = tx.exec_prepared("bmx_state_take", common::sha256_hex(state), actor.user_id,
                                  common::to_sql_timestamp(clock_.now()));
    if (taken.empty()) {
      throw ApiError::unprocessable(
          "bmx_state_mismatch",
          "This BMX sign-in was not started here or has expired. Start again from the app.",
          {{"state", "mismatch", "Does not match a sign-in started by you."}});
    }
    const auto property_id = taken[0][0].as<std::string>();
    return std::make_pair(property_id, tx.exec_prepared("bmx_site_building", property_id));
  });
  // Still a resident there (they may have moved out since the sign-in began).
  const auto property_id = Policy::resident_property(actor, site.first);
  const auto& residence = site.second;
  if (residence.empty()) {
    throw ApiError::conflict("bmx_not_set_up",
                             "Your property has not connected ButterflyMX yet. Ask the "
                             "property manager.");
  }
  const auto building_id = residence[0][0].as<std::int64_t>();
  const auto building_name = residence[0][1].as<std::string>();

  TokenGrant grant;
  try {
    grant = client_.exchange_code(code);
  } catch (const BmxError& error) {
    if (error.kind() != ErrorKind::unauthorized) throw;
    throw ApiError::unprocessable("bmx_authorization_invalid",
                                  "BMX did not accept the sign-in. Please sign in again.",
                                  {{"code", "invalid", "BMX refused this code."}});
  }
  // With the tenant's own token BMX shows the tenant's own record.
  GrantToken as(grant);
  std::optional<Tenant> tenant;
  for (const auto& candidate :
       client_.find_tenants(as, {std::nullopt, building_id, std::nullopt})) {
    if (candidate.building_id == building_id) tenant = candidate;
  }
  if (!tenant) {
    throw ApiError::unprocessable("bmx_tenant_not_found",
                                  "This BMX account is not a resident of " + building_name +
                                      ". Sign in with the BMX account of your home there.");
  }
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto credential_id = credentials_.store(tx, grant);
    std::string linked_at;
    try {
      linked_at =
          tx.exec_prepared1("bmx_link_upsert", actor.user_id, property_id, credential_id,
                            building_id, tenant->id, tenant->unit_id, tenant->contact_preference)[0]
              .as<std::string>();
    } catch (const pqxx::unique_violation&) {
      throw ApiError::conflict("bmx_tenant_already_linked",
                               "Another frontdoor account is already linked to this BMX tenant.");
    }
    audit_.record(
        tx, actor,
        {property_id,
         "bmx.linked",
         "user",
         actor.user_id,
         {{"tenant_id", tenant->id}, {"contact_preference", tenant->contact_preference}}});
    tx.commit();
    auto status = linked_status(tenant->id, building_id, tenant->contact_preference, linked_at);
    status["property_id"] = property_id;
    return status;
  });
}

void BmxService::unlink(const auth::Principal& actor, const std::optional<std::string>& property) {
  if (actor.kind != auth::Principal::Kind::user) throw ApiError::forbidden();
  // Someone with no home has no link: unlinking is done already.
  const bool lives_somewhere = std::any_of(
      actor.roles.begin(), actor.roles.end(),
      [](const auth::RoleAssignment& role) { return role.role == auth::Role::resident; });
  if (!property && !lives_somewhere) return;
  const auto property_id = Policy::resident_property(actor, property);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto gone = tx.exec_prepared("bmx_link_delete", actor.user_id, property_id);
    if (!gone.empty()) {
      audit_.record(tx, actor,
                    {gone[0][0].as<std::string>(),
                     "bmx.unlinked",
                     "user",
                     actor.user_id,
                     {{"tenant_id", gone[0][1].as<std::int64_t>()}}});
    }
    tx.commit();
  });
}

void BmxService::unlink_in(pqxx::work& tx, const auth::Principal& actor, const std::string& user_id,
                           const std::string& property_id) const {
  auto gone = tx.exec_prepared("bmx_link_delete", user_id, property_id);
  if (!gone.empty()) {
    audit_.record(tx, actor,
                  {property_id,
                   "bmx.unlinked",
                   "user",
                   user_id,
                   {{"tenant_id", gone[0][1].as<std::int64_t>()}, {"reason", "moved_out"}}});
  }
}

nlohmann::json BmxService::link_summary(const std::string& user_id,
                                        const std::string& property_id) const {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_link_get", user_id, common::to_sql_timestamp(clock_.now()),
                            property_id);
  });
  if (rows.empty()) return {{"linked", false}};
  const auto& row = rows[0];
  return linked_status(row[3].as<std::int64_t>(), row[2].as<std::int64_t>(),
                       row[5].as<std::string>(), row[6].as<std::string>());
}

// ---------------------------------------------------------------------------
// Webhooks

std::optional<std::string> BmxService::webhook_property(const std::string& secret) {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_webhook_property", common::sha256_hex(secret));
  });
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::string BmxService::receive_webhook(const std::string& property_id,
                                        const nlohmann::json& body) {
  // Only the event families frontdoor acts on are kept; others are acknowledged
  // (so BMX stops retrying) and dropped.
  const auto event = parse_webhook_event(body);
  const std::string resource_type = event ? event->resource_type : "";
  const std::string action = event ? event->action : "";
  const std::int64_t resource_id = event ? event->resource_id : 0;
  auto counts = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared1("bmx_webhook_receive", property_id, resource_type, action, resource_id,
                             body.dump());
  });
  if (counts[0].as<int>() == 0) throw ApiError::not_found();
  if (resource_type.empty()) return "ignored";
  return counts[1].as<int>() > 0 ? "queued" : "duplicate";
}

void BmxService::on_call(std::function<void(const VerifiedCall&)> handler) {
  call_handlers_.push_back(std::move(handler));
}

void BmxService::on_access(std::function<void(const VerifiedAccess&)> handler) {
  access_handlers_.push_back(std::move(handler));
}

notify::Delivery BmxService::process_webhook(const nlohmann::json& payload) {
  const auto event_id = payload.value("event_id", "");
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("bmx_webhook_event", event_id);
  });
  if (rows.empty()) return notify::Delivery::give_up("the event or its integration is gone");
  const auto& row = rows[0];
  const auto property_id = row[0].as<std::string>();
  const auto resource_type = row[1].as<std::string>();
  const auto resource_id = row[2].as<std::int64_t>();
  const auto building_id = row[3].as<std::int64_t>();
  auto as = credentials_.source(row[4].as<std::string>(), property_id);

  std::string outcome;
  try {
    // The payload is only a hint: what happened is read back from BMX.
    if (resource_type == "call") {
      auto call = client_.get_call(*as, building_id, resource_id);
      auto linked = pool_.run([&](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        return tx.exec_prepared("bmx_link_by_tenant", building_id, call.tenant_id);
      });
      if (linked.empty()) {
        outcome = "unknown_tenant";
      } else {
        outcome = "call_for_resident";
        VerifiedCall verified{property_id, linked[0][0].as<std::string>(), call};
        for (const auto& handler : call_handlers_) handler(verified);
      }
    } else {
      auto access = client_.get_access_log(*as, building_id, resource_id);
      outcome = "access_" +
                (access.release_status.empty() ? std::string("logged") : access.release_status);
      VerifiedAccess verified{property_id, access};
      for (const auto& handler : access_handlers_) handler(verified);
    }
  } catch (const BmxError& error) {
    if (is_transient(error.kind())) return notify::Delivery::later(error.detail());
    // BMX does not know it (or no longer lets us see it): a false or stale hint.
    outcome = error.kind() == ErrorKind::not_found ? "not_in_bmx" : "bmx_refused";
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared("bmx_webhook_processed", event_id, outcome);
  });
  return notify::Delivery::ok();
}

}  // namespace frontdoor::bmx
