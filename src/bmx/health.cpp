// What support sees of a property's BMX connection, and the failures it records.
#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::bmx {
namespace {

using auth::Action;
using auth::Policy;
using common::ApiError;

}  // namespace

Health BmxService::health(const auth::Principal& actor, const std::string& property_id) {
  Policy::require(actor, Action::view_bmx_health, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    if (!store::site_name(tx, property_id)) throw ApiError::not_found();
    const auto requests = store::set_up_requests_for(tx, property_id);
    return Health{client_.circuit_state(), store::errors_for(tx, property_id), requests.count,
                  requests.last_at, store::connected_site(tx, property_id)};
  });
}

void BmxService::record_failure(const TokenSource* as, const BmxError& error) {
  if (!as || as->property_id().empty()) return;
  try {
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      store::record_error(tx, {as->property_id(), error.operation(), to_string(error.kind()),
                               error.bmx_status(), error.detail(),
                               error.request_id().empty() ? std::optional<std::string>()
                                                          : std::optional(error.request_id())});
    });
  } catch (const std::exception& failure) {
    // Support's history is not worth failing the caller's request over.
    common::log::warn("could not record a bmx error", {{"error", failure.what()}});
  }
}

}  // namespace frontdoor::bmx
