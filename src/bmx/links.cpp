// Residents' links: the BMX sign-in that lets their visitors in and their calls ring.
#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/bmx/service.hpp"
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

long long BmxService::sweep_link_states(std::chrono::seconds retention) {
  return db::sweep(pool_, "bmx_sweep_link_states", retention.count());
}

}  // namespace frontdoor::bmx
