// Inbound BMX webhooks: checked, stored once, queued, then read back from BMX.
#include <pqxx/pqxx>

#include "frontdoor/bmx/service.hpp"
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
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::webhook_property(tx, common::sha256_hex(secret));
  });
}

WebhookReceipt BmxService::receive_webhook(const std::string& property_id,
                                           const std::optional<WebhookEvent>& event,
                                           const std::string& payload) {
  // Only the event families frontdoor acts on are kept; others are acknowledged
  // (so BMX stops retrying) and dropped. The delivery is noted either way.
  const std::string resource_type = event ? event->resource_type : "";
  const std::string action = event ? event->action : "";
  const std::int64_t resource_id = event ? event->resource_id : 0;
  const auto received = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::receive_webhook(tx, property_id, resource_type, action, resource_id, payload);
  });
  if (!received.integration_found) throw ApiError::not_found();
  if (!event) return WebhookReceipt::ignored;
  return received.queued ? WebhookReceipt::queued : WebhookReceipt::duplicate;
}

void BmxService::on_call(std::function<void(const VerifiedCall&)> handler) {
  call_handlers_.push_back(std::move(handler));
}

void BmxService::on_access(std::function<void(const VerifiedAccess&)> handler) {
  access_handlers_.push_back(std::move(handler));
}

notify::Delivery BmxService::process_webhook(const std::string& event_id) {
  const auto event = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::webhook_event(tx, event_id);
  });
  if (!event) return notify::Delivery::give_up("the event or its integration is gone");
  const auto& property_id = event->property_id;
  const auto building_id = event->building_id;
  auto as = credentials_.source(event->credential_id, property_id);

  std::string outcome;
  try {
    // The payload is only a hint: what happened is read back from BMX.
    if (event->resource_type == "call") {
      auto call = client_.get_call(*as, building_id, event->resource_id);
      const auto linked = pool_.run([&](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        return store::linked_user(tx, building_id, call.tenant_id);
      });
      if (!linked) {
        outcome = "unknown_tenant";
      } else {
        outcome = "call_for_resident";
        VerifiedCall verified{property_id, *linked, call};
        for (const auto& handler : call_handlers_) handler(verified);
      }
    } else {
      auto access = client_.get_access_log(*as, building_id, event->resource_id);
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
    store::mark_webhook_processed(tx, event_id, outcome);
  });
  return notify::Delivery::ok();
}

}  // namespace frontdoor::bmx
