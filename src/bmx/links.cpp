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

}  // namespace

std::string BmxService::new_link_state(const std::string& user_id, const std::string& property_id) {
  auto state = common::random_hex(24);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    store::insert_link_state(tx, user_id, common::sha256_hex(state),
                             clock_.now() + kLinkStateLifetime, property_id);
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

LinkStatus BmxService::unlinked_status(const std::string& user_id, const std::string& property_id) {
  return {property_id, std::nullopt, authorize_url(user_id, property_id)};
}

bool BmxService::is_set_up(pqxx::work& tx, const std::string& property_id) const {
  return store::site_sign_in(tx, property_id).has_value();
}

bool BmxService::is_linked(pqxx::work& tx, const std::string& user_id,
                           const std::string& property_id) const {
  return store::resident_sign_in(tx, user_id, property_id).has_value();
}

LinkStatus BmxService::link_status(const auth::Principal& actor,
                                   const std::optional<std::string>& property) {
  // BMX links belong to residencies: they are what lets a visitor in or a call ring.
  const auto property_id = Policy::resident_property(actor, property);
  auto stored = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::find_link(tx, actor.user_id, property_id, clock_.now() - kPreferenceFreshFor);
  });
  if (!stored) return unlinked_status(actor.user_id, property_id);
  auto& link = stored->link;
  // The preference lives in BMX and the resident may change it there at any
  // time: look again when the stored one is older than kPreferenceFreshFor.
  if (stored->stale) {
    try {
      auto as = credentials_.source(stored->credential_id, property_id);
      link.contact_preference = client_.get_tenant(*as, link.tenant_id).contact_preference;
      pool_.run([&](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        store::mark_link_checked(tx, actor.user_id, property_id, link.contact_preference,
                                 clock_.now());
      });
    } catch (const BmxError& error) {
      if (error.kind() == ErrorKind::unauthorized) {
        // BMX no longer honours this sign-in: the link is gone, say so.
        pool_.run([&](pqxx::connection& connection) {
          pqxx::work tx(connection);
          store::delete_link(tx, actor.user_id, property_id);
          audit_.record(tx, actor, {property_id, "bmx.link_lost", "user", actor.user_id, {}});
          tx.commit();
        });
        return unlinked_status(actor.user_id, property_id);
      }
      // BMX is away: answer with what we knew.
    }
  }
  return LinkStatus{property_id, link, std::nullopt, stored->bmx_app_installed};
}

LinkStatus BmxService::link(const auth::Principal& actor, const std::string& code,
                            const std::string& state) {
  Policy::require_resident(actor);
  auto site = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    // The state proves this sign-in started from this user's own authorize URL,
    // and says for which of their homes.
    auto taken = store::take_link_state(tx, common::sha256_hex(state), actor.user_id, clock_.now());
    if (!taken) {
      throw ApiError::unprocessable(
          "bmx_state_mismatch",
          "This BMX sign-in was not started here or has expired. Start again from the app.",
          {{"state", "mismatch", "Does not match a sign-in started by you."}});
    }
    return std::make_pair(*taken, store::site_building(tx, *taken));
  });
  // Still a resident there (they may have moved out since the sign-in began).
  const auto property_id = Policy::resident_property(actor, site.first);
  if (!site.second) {
    throw ApiError::conflict("bmx_not_set_up",
                             "Your property has not connected ButterflyMX yet. Ask the "
                             "property manager.");
  }
  const auto building_id = site.second->id;
  const auto& building_name = site.second->name;

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
    common::TimePoint linked_at;
    try {
      linked_at = store::upsert_link(tx, {actor.user_id, property_id, credential_id, building_id,
                                          tenant->id, tenant->unit_id, tenant->contact_preference});
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
    return LinkStatus{property_id,
                      Link{tenant->id, building_id, tenant->contact_preference, linked_at},
                      std::nullopt, false};
  });
}

void BmxService::unlink(const auth::Principal& actor, const std::optional<std::string>& property) {
  if (actor.kind != auth::Principal::Kind::user) throw ApiError::forbidden();
  // Someone with no home has no link: unlinking is done already.
  if (!property && !Policy::lives_somewhere(actor)) return;
  const auto property_id = Policy::resident_property(actor, property);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (const auto gone = store::delete_link(tx, actor.user_id, property_id)) {
      audit_.record(tx, actor,
                    {gone->property_id,
                     "bmx.unlinked",
                     "user",
                     actor.user_id,
                     {{"tenant_id", gone->tenant_id}}});
    }
    tx.commit();
  });
}

void BmxService::unlink_in(pqxx::work& tx, const auth::Principal& actor, const std::string& user_id,
                           const std::string& property_id) const {
  if (const auto gone = store::delete_link(tx, user_id, property_id)) {
    audit_.record(tx, actor,
                  {property_id,
                   "bmx.unlinked",
                   "user",
                   user_id,
                   {{"tenant_id", gone->tenant_id}, {"reason", "moved_out"}}});
  }
}

std::optional<Link> BmxService::link_summary(const std::string& user_id,
                                             const std::string& property_id) const {
  auto stored = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::find_link(tx, user_id, property_id, clock_.now());
  });
  if (!stored) return std::nullopt;
  return stored->link;
}

long long BmxService::sweep_link_states(std::chrono::seconds retention) {
  return store::sweep_link_states(pool_, retention);
}

}  // namespace frontdoor::bmx
