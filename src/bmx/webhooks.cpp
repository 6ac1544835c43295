// Inbound BMX webhooks: checked, stored once, queued, then read back from BMX.
#include <pqxx/pqxx>

#include "frontdoor/bmx/service.hpp"
#include "frontdoor/bmx/webhook_event.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::bmx {
namespace {

using common::ApiError;

}  // namespace

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
