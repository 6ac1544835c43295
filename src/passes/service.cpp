#include "frontdoor/passes/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/notify/messages.hpp"
#include "store.hpp"

namespace frontdoor::passes {
namespace {

using bmx::BmxError;
using bmx::ErrorKind;

// BMX knows the keychain by this name, so an interrupted creation can be found.
std::string keychain_name(const std::string& visitor_id) { return "frontdoor pass " + visitor_id; }

bool is_transient(ErrorKind kind) {
  return kind == ErrorKind::unavailable || kind == ErrorKind::timeout ||
         kind == ErrorKind::rate_limited;
}

// What the app shows when BMX refused: BMX's own words when it gave some.
std::string refusal_reason(const BmxError& error) {
  if (!error.bmx_errors().empty()) {
    const auto& first = error.bmx_errors().front();
    return first.message.empty() ? first.code : first.field + ": " + first.message;
  }
  return "ButterflyMX refused the pass.";
}

}  // namespace

void PassesService::queue_deletion(pqxx::work& tx, const std::string& visitor_id,
                                   const std::string& property_id) const {
  outbox_.enqueue(
      tx, {"bmx",
           "revoke-pass:" + visitor_id,
           {{"kind", "revoke_pass"}, {"visitor_id", visitor_id}, {"property_id", property_id}}});
}

PassesService::PassesService(db::Pool& pool, bmx::BmxService& bmx, const bmx::TokenCipher& cipher,
                             const notify::Outbox& outbox, const audit::AuditTrail& audit,
                             const common::Clock& clock, std::string public_base_url,
                             std::chrono::milliseconds bmx_settle_time)
    : pool_(pool),
      bmx_(bmx),
      cipher_(cipher),
      outbox_(outbox),
      audit_(audit),
      clock_(clock),
      public_base_url_(std::move(public_base_url)),
      bmx_settle_time_(bmx_settle_time) {
  store::prepare(pool_);
}

void PassesService::register_on(notify::Dispatcher& dispatcher) {
  // BMX out of reach for longer than the outbox retries: the pass fails and the
  // resident hears of it, rather than it staying "pending" for good.
  dispatcher.handle(
      "bmx", "issue_pass", [this](const nlohmann::json& p) { return issue(p); },
      [this](const nlohmann::json& p, const std::string&) {
        fail(p.value("visitor_id", ""), "bmx_unavailable",
             "ButterflyMX could not be reached for too long. Add the visitor again.");
      });
  dispatcher.handle("bmx", "revoke_pass",
                    [this](const nlohmann::json& p) { return delete_at_bmx(p); });
  dispatcher.handle("bmx", "reconcile_pass",
                    [this](const nlohmann::json& p) { return reconcile(p); });
}

CreatedPass PassesService::create(pqxx::work& tx, const NewPass& pass) const {
  std::optional<std::string> token, token_hash;
  if (pass.sms_to) {
    token = common::random_hex(16);  // 128 bits
    token_hash = common::sha256_hex(*token);
  }
  tx.exec_prepared("passes_insert", pass.visitor_id, pass.property_id,
                   pass.holder_user_id.empty() ? std::optional<std::string>()
                                               : std::optional(pass.holder_user_id),
                   pass.on_placeholder ? "placeholder_tenant" : "resident_tenant", token_hash);
  nlohmann::json job = {
      {"kind", "issue_pass"}, {"visitor_id", pass.visitor_id}, {"property_id", pass.property_id}};
  CreatedPass result;
  if (token) {
    const auto url = public_base_url_ + "/p/" + *token;
    // The link text travels with the job: the SMS goes out once the pass exists.
    job["sms"] = {{"to", *pass.sms_to},
                  {"text", notify::visitor_pass_sms(pass.host_name, pass.property_name,
                                                    pass.window_text, url)}};
    result.url = url;
  }
  outbox_.enqueue(tx, {"bmx", "issue-pass:" + pass.visitor_id, job});
  return result;
}

bool PassesService::revoke(pqxx::work& tx, const auth::Principal& actor,
                           const std::string& visitor_id) const {
  auto rows = tx.exec_prepared("passes_revoke", visitor_id);
  if (rows.empty()) return false;
  const auto property_id = rows[0][0].as<std::string>();
  // A keychain not yet known here is deleted by the issuance that creates it.
  if (!rows[0][1].is_null()) {
    queue_deletion(tx, visitor_id, property_id);
  }
  audit_.record(tx, actor, {property_id, "pass.revoked", "visitor", visitor_id, {}});
  return true;
}

void PassesService::revoke_hosted_by(pqxx::work& tx, const auth::Principal& actor,
                                     const std::string& user_id,
                                     const std::string& property_id) const {
  for (const auto& row : tx.exec_prepared("passes_revoke_hosted", user_id, property_id)) {
    const auto visitor_id = row[0].as<std::string>();
    if (!row[1].is_null()) {
      queue_deletion(tx, visitor_id, property_id);
    }
    audit_.record(
        tx, actor,
        {property_id, "pass.revoked", "visitor", visitor_id, {{"reason", "host_moved_out"}}});
  }
}

void PassesService::revoke_all_at(pqxx::work& tx, const auth::Principal& actor,
                                  const std::string& property_id) const {
  int revoked = 0;
  for (const auto& row : tx.exec_prepared("passes_revoke_property", property_id)) {
    const auto visitor_id = row[0].as<std::string>();
    if (!row[1].is_null()) {
      queue_deletion(tx, visitor_id, property_id);
    }
    ++revoked;
  }
  audit_.record(tx, actor,
                {property_id, "passes.revoked_all", "property", property_id, {{"count", revoked}}});
}

// ---------------------------------------------------------------------------
// Issuance

notify::Delivery PassesService::fail(const std::string& visitor_id, const std::string& code,
                                     const std::string& reason) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("passes_failed", visitor_id, code, reason);
    if (rows.empty()) return;
    const auto property_id = rows[0][0].as<std::string>();
    auth::Principal system;
    audit_.record(
        tx, system,
        {property_id, "pass.failed", "visitor", visitor_id, {{"code", code}, {"reason", reason}}});
    // The resident who asked for the pass hears about it.
    if (!rows[0][1].is_null()) {
      const auto text = notify::pass_failed_push(rows[0][2].as<std::string>(), reason);
      outbox_.enqueue(
          tx, notify::push_message(
                  "pass-failed:" + visitor_id, rows[0][1].as<std::string>(), text.title, text.body,
                  {{"type", "pass_failed"}, {"visitor_id", visitor_id}, {"reason", reason}}, false,
                  {}, property_id));
    }
    tx.commit();
  });
  return notify::Delivery::ok();
}

notify::Delivery PassesService::issue(const nlohmann::json& payload) {
  const auto visitor_id = payload.value("visitor_id", "");
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("passes_load", visitor_id);
  });
  if (rows.empty()) return notify::Delivery::give_up("no such pass");
  const auto& row = rows[0];
  // Revoked (or already issued) while waiting: nothing to do.
  if (row[0].as<std::string>() != "pending") return notify::Delivery::ok();
  const bool on_placeholder = row[1].as<std::string>() == "placeholder_tenant";
  const auto property_id = row[3].as<std::string>();
  const auto visitor_name = row[4].as<std::string>();
  const auto starts_at = common::parse_rfc3339(row[5].as<std::string>());
  const auto ends_at = common::parse_rfc3339(row[6].as<std::string>());
  std::optional<std::int64_t> keychain_id;
  if (!row[8].is_null()) keychain_id = row[8].as<std::int64_t>();
  const bool interrupted = row[9].as<bool>();

  auto access = on_placeholder ? bmx_.site_access(property_id)
                               : bmx_.resident_access(row[2].as<std::string>(), property_id);
  if (!access) {
    return on_placeholder
               ? fail(visitor_id, "bmx_not_set_up", "The property has not connected ButterflyMX.")
               : fail(visitor_id, "bmx_login_required",
                      "Sign in to ButterflyMX again, then add the visitor again.");
  }
  auto& client = bmx_.client();
  try {
    if (!keychain_id) {
      // A previous attempt may have created it before dying or timing out.
      if (interrupted) {
        auto found = client.find_keychains(*access->token, keychain_name(visitor_id));
        if (!found.empty()) keychain_id = found.front().id;
      }
      if (!keychain_id) {
        pool_.run([&](pqxx::connection& connection) {
          pqxx::nontransaction tx(connection);
          tx.exec_prepared("passes_keychain_requested", visitor_id, access->tenant_id);
        });
        keychain_id = client
                          .create_keychain(*access->token, {"custom",
                                                            keychain_name(visitor_id),
                                                            access->tenant_id,
                                                            *starts_at,
                                                            *ends_at,
                                                            {}})
                          .id;
      }
      const bool still_wanted = pool_.run([&](pqxx::connection& connection) {
        pqxx::nontransaction tx(connection);
        return !tx.exec_prepared("passes_keychain_created", visitor_id, *keychain_id).empty();
      });
      if (!still_wanted) {
        client.delete_keychain(*access->token, *keychain_id);
        return notify::Delivery::ok();
      }
    }
    // One key per keychain: a retry reuses the key an earlier attempt made.
    auto keychain = client.get_keychain(*access->token, *keychain_id);
    bmx::VirtualKey key;
    if (!keychain.virtual_key_ids.empty()) {
      key = client.get_virtual_key(*access->token, keychain.virtual_key_ids.front());
    } else {
      bmx::VirtualKeyRequest request{*keychain_id, visitor_name, std::nullopt, std::nullopt};
      // Staff visitors: BMX itself e-mails the QR code.
      if (on_placeholder && !row[7].is_null()) request.email = row[7].as<std::string>();
      try {
        key = client.create_virtual_key(*access->token, request);
      } catch (const BmxError& error) {
        if (is_transient(error.kind())) throw;
        // A keychain without its key is useless: take it back (NOTES.md).
        client.delete_keychain(*access->token, *keychain_id);
        throw;
      }
    }
    const auto sealed = cipher_.seal(key.pin_code, "pass:" + visitor_id);
    const bool issued = pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      const pqxx::binarystring credential(sealed.bytes.data(), sealed.bytes.size());
      auto updated =
          tx.exec_prepared("passes_issued", visitor_id, key.id, sealed.key_id, credential);
      if (updated.empty()) return false;
      if (payload.contains("sms")) {
        outbox_.enqueue(tx, notify::sms_message("pass-sms:" + visitor_id, payload["sms"]["to"],
                                                payload["sms"]["text"], property_id));
      }
      auth::Principal system;
      audit_.record(tx, system,
                    {property_id,
                     "pass.issued",
                     "visitor",
                     visitor_id,
                     {{"bmx_keychain_id", *keychain_id}, {"bmx_virtual_key_id", key.id}}});
      tx.commit();
      return true;
    });
    // Revoked while BMX was working: the key must not outlive the revocation.
    if (!issued) client.delete_keychain(*access->token, *keychain_id);
    // BMX has no idempotency keys: a creation we gave up on may still happen.
    if (interrupted) {
      pool_.run([&](pqxx::connection& connection) {
        pqxx::work tx(connection);
        outbox_.enqueue(tx, {"bmx",
                             "reconcile-pass:" + visitor_id,
                             {{"kind", "reconcile_pass"},
                              {"visitor_id", visitor_id},
                              {"property_id", property_id}}});
        tx.commit();
      });
    }
    return notify::Delivery::ok();
  } catch (const BmxError& error) {
    if (is_transient(error.kind())) return notify::Delivery::later(error.detail());
    if (error.kind() == ErrorKind::unauthorized) {
      return fail(visitor_id, "bmx_login_required",
                  "ButterflyMX no longer accepts the sign-in; sign in again.");
    }
    return fail(visitor_id, "bmx_rejected", refusal_reason(error));
  }
}

notify::Delivery PassesService::delete_at_bmx(const nlohmann::json& payload) {
  const auto visitor_id = payload.value("visitor_id", "");
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("passes_keychain_of", visitor_id);
  });
  if (rows.empty() || rows[0][0].is_null()) return notify::Delivery::ok();
  // The building admin can delete any keychain of the building, also those of a
  // resident whose own BMX link went with their move-out.
  auto access = bmx_.site_access(rows[0][1].as<std::string>());
  if (!access) return notify::Delivery::give_up("the property is no longer connected to BMX");
  try {
    bmx_.client().delete_keychain(*access->token, rows[0][0].as<std::int64_t>());
  } catch (const BmxError& error) {
    if (is_transient(error.kind())) return notify::Delivery::later(error.detail());
    // Already gone at BMX is what we wanted.
    if (error.kind() != ErrorKind::not_found) return notify::Delivery::give_up(error.detail());
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    tx.exec_prepared("passes_bmx_deleted", visitor_id);
  });
  return notify::Delivery::ok();
}

notify::Delivery PassesService::reconcile(const nlohmann::json& payload) {
  const auto visitor_id = payload.value("visitor_id", "");
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("passes_reconcile_state", visitor_id,
                            static_cast<long long>(bmx_settle_time_.count()));
  });
  if (rows.empty()) return notify::Delivery::ok();
  if (!rows[0][3].is_null() && !rows[0][3].as<bool>()) {
    // Not a failure of BMX's: the lane's circuit must not count it.
    return notify::Delivery::wait("waiting for BMX to finish what it may still be doing",
                                  bmx_settle_time_);
  }
  auto access = bmx_.site_access(rows[0][2].as<std::string>());
  if (!access) return notify::Delivery::give_up("the property is no longer connected to BMX");
  // A revoked or failed pass keeps nothing at BMX; an issued one keeps its own keychain.
  std::optional<std::int64_t> keep;
  if (rows[0][1].as<std::string>() == "issued" && !rows[0][0].is_null()) {
    keep = rows[0][0].as<std::int64_t>();
  }
  try {
    for (const auto& found :
         bmx_.client().find_keychains(*access->token, keychain_name(visitor_id))) {
      if (!keep || found.id != *keep) bmx_.client().delete_keychain(*access->token, found.id);
    }
  } catch (const BmxError& error) {
    if (is_transient(error.kind())) return notify::Delivery::later(error.detail());
    if (error.kind() != ErrorKind::not_found) return notify::Delivery::give_up(error.detail());
  }
  return notify::Delivery::ok();
}

void PassesService::on_access(const bmx::VerifiedAccess& event) {
  if (event.access.release_status != "Unlocked" || !event.access.tenant_id) return;
  auto candidates = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("passes_arrival_candidates", event.property_id, *event.access.tenant_id,
                            common::to_sql_timestamp(clock_.now()));
  });
  if (candidates.empty()) return;
  auto access = bmx_.site_access(event.property_id);
  if (!access) return;
  for (const auto& row : candidates) {
    // The event names no key: BMX's count of the key's uses says whose it was.
    const auto key = bmx_.client().get_virtual_key(*access->token, row[1].as<std::int64_t>());
    if (key.usage_count == 0) continue;
    const auto visitor_id = row[0].as<std::string>();
    pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      if (tx.exec_prepared("passes_arrived", visitor_id).empty()) return;
      auth::Principal system;
      audit_.record(tx, system, {event.property_id, "visitor.arrived", "visitor", visitor_id, {}});
      if (!row[2].is_null()) {
        const auto text = notify::visitor_arrived_push(row[3].as<std::string>());
        outbox_.enqueue(
            tx, notify::push_message("arrived:" + visitor_id, row[2].as<std::string>(), text.title,
                                     text.body,
                                     {{"type", "visitor_arrived"}, {"visitor_id", visitor_id}},
                                     false, {}, event.property_id));
      }
      tx.commit();
    });
  }
}

// ---------------------------------------------------------------------------
// What visitors see

nlohmann::json PassesService::credentials(const auth::Principal& actor) {
  if (actor.kind != auth::Principal::Kind::user) throw common::ApiError::forbidden();
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("passes_credentials", actor.user_id,
                            common::to_sql_timestamp(clock_.now()));
  });
  nlohmann::json data = nlohmann::json::array();
  for (const auto& row : rows) {
    const auto visitor_id = row[0].as<std::string>();
    const auto payload = cipher_.open({row[5].as<std::string>(), pqxx::binarystring(row[6]).str()},
                                      "pass:" + visitor_id);
    data.push_back({{"visitor_id", visitor_id},
                    {"property_id", row[1].as<std::string>()},
                    {"property_name", row[2].as<std::string>()},
                    {"starts_at", row[3].as<std::string>()},
                    {"ends_at", row[4].as<std::string>()},
                    {"valid_now", row[7].as<bool>()},
                    {"type", "bmx_virtual_key"},
                    {"qr_payload", payload},
                    {"pin_code", payload}});
  }
  return {{"data", data}};
}

}  // namespace frontdoor::passes
