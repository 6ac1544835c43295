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

nlohmann::json text_or_null(const pqxx::field& field) {
  return field.is_null() ? nlohmann::json(nullptr) : nlohmann::json(field.as<std::string>());
}

}  // namespace

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

}  // namespace frontdoor::bmx
