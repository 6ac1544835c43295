#include "issuance.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "frontdoor/notify/messages.hpp"

namespace frontdoor::passes {
namespace {

using bmx::BmxError;
using bmx::ErrorKind;
using visitors::Kind;
using visitors::PassStatus;

// What the app shows when BMX refused: BMX's own words when it gave some.
std::string refusal_reason(const BmxError& error) {
  if (!error.bmx_errors().empty()) {
    const auto& first = error.bmx_errors().front();
    return first.message.empty() ? first.code : first.field + ": " + first.message;
  }
  return "ButterflyMX refused the pass.";
}

// A BMX failure of the delete and reconcile steps: try again later, or stop.
notify::Delivery after_cleanup_error(const BmxError& error) {
  if (bmx::is_transient(error.kind())) return notify::Delivery::later(error.detail());
  return notify::Delivery::give_up(error.detail());
}

// The BMX keychain type of each kind of pass, for exactly the visit's window.
// A window pass for one entry is a one_time keychain too: BMX itself then ends
// it 15 minutes after its first use, even while frontdoor cannot reach BMX to
// delete it (which it does at once when the entry is reported).
bmx::KeychainRequest keychain_request(const std::string& visitor_id, const store::Issuance& pass) {
  bmx::KeychainRequest request;
  request.name = keychain_name(visitor_id);
  request.starts_at = pass.starts_at;
  request.ends_at = pass.ends_at;
  if (pass.kind == Kind::one_time || (pass.kind == Kind::window && pass.max_uses == 1)) {
    request.kind = "one_time";
  }
  if (pass.kind == Kind::delivery) request.kind = "delivery_pass";
  if (pass.kind == Kind::recurring) {
    request.kind = "recurring";
    request.weekly = pass.weekly;
  }
  return request;
}

}  // namespace

std::string keychain_name(const std::string& visitor_id) { return "frontdoor pass " + visitor_id; }

nlohmann::json to_payload(const IssueJob& job) {
  nlohmann::json payload = {
      {"kind", "issue_pass"}, {"visitor_id", job.visitor_id}, {"property_id", job.property_id}};
  if (job.sms) payload["sms"] = {{"to", job.sms->to}, {"text", job.sms->text}};
  return payload;
}

IssueJob issue_job_from(const nlohmann::json& payload) {
  IssueJob job{payload.value("visitor_id", ""), payload.value("property_id", ""), std::nullopt};
  if (payload.contains("sms")) {
    job.sms = IssueJob::Sms{payload["sms"].value("to", ""), payload["sms"].value("text", "")};
  }
  return job;
}

PassIssuance::PassIssuance(db::Pool& pool, bmx::BmxService& bmx, const bmx::TokenCipher& cipher,
                           const notify::Outbox& outbox, const audit::AuditTrail& audit,
                           std::chrono::milliseconds bmx_settle_time)
    : pool_(pool),
      bmx_(bmx),
      cipher_(cipher),
      outbox_(outbox),
      audit_(audit),
      bmx_settle_time_(bmx_settle_time) {}

void PassIssuance::register_on(notify::Dispatcher& dispatcher) {
  // BMX out of reach for longer than the outbox retries: the pass fails and the
  // resident hears of it, rather than it staying "pending" for good.
  dispatcher.handle(
      notify::Channel::bmx, "issue_pass",
      [this](const nlohmann::json& p) { return issue(issue_job_from(p)); },
      [this](const nlohmann::json& p, const std::string&) {
        fail(p.value("visitor_id", ""), "bmx_unavailable",
             "ButterflyMX could not be reached for too long. Add the visitor again.");
      });
  // A revocation on either lane: the urgent one deletes the key of a pass whose
  // last entry was just used, ahead of any backlog of issuances.
  for (const auto lane : {notify::Channel::bmx, notify::Channel::bmx_urgent}) {
    dispatcher.handle(lane, "revoke_pass", [this](const nlohmann::json& p) {
      return delete_at_bmx(p.value("visitor_id", ""));
    });
  }
  dispatcher.handle(notify::Channel::bmx, "close_pass", [this](const nlohmann::json& p) {
    return close_at_window_end(p.value("visitor_id", ""));
  });
  dispatcher.handle(notify::Channel::bmx, "reconcile_pass", [this](const nlohmann::json& p) {
    return reconcile(p.value("visitor_id", ""));
  });
}

notify::Delivery PassIssuance::issue(const IssueJob& job) {
  const auto pass = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::issuance(tx, job.visitor_id);
  });
  if (!pass) return notify::Delivery::give_up("no such pass");
  // Revoked (or already issued) while waiting: nothing to do.
  if (pass->status != PassStatus::pending) return notify::Delivery::ok();
  // BMX starts a delivery pass when it is made and keeps it for a month: it is
  // made when the visit's window opens, and deleted when it closes.
  if (pass->kind == Kind::delivery) {
    const auto until_start = pass->starts_at - std::chrono::system_clock::now();
    if (until_start > std::chrono::seconds(0)) {
      return notify::Delivery::wait("a delivery pass is made when its window opens",
                                    std::chrono::ceil<std::chrono::milliseconds>(until_start));
    }
  }

  auto access = pass->on_placeholder
                    ? bmx_.site_access(pass->property_id)
                    : bmx_.resident_access(pass->host_user_id.value_or(""), pass->property_id);
  if (!access) {
    return pass->on_placeholder ? fail(job.visitor_id, "bmx_not_set_up",
                                       "The property has not connected ButterflyMX.")
                                : fail(job.visitor_id, "bmx_login_required",
                                       "Sign in to ButterflyMX again, then add the visitor again.");
  }
  try {
    const auto keychain_id = keychain_for(job.visitor_id, *pass, *access);
    if (!keychain_id) return notify::Delivery::ok();
    // Staff visitors: BMX itself e-mails the QR code.
    const auto email = pass->on_placeholder ? pass->email : std::nullopt;
    const auto key = bmx_.issue_key(*access, *keychain_id, pass->visitor_name, email);
    // Revoked while BMX was working: the key must not outlive the revocation.
    if (!record_issued(job, *keychain_id, key, pass->kind == Kind::delivery)) {
      bmx_.delete_keychain(*access, *keychain_id);
    }
    if (pass->interrupted) schedule_reconcile(job.visitor_id, pass->property_id);
    return notify::Delivery::ok();
  } catch (const BmxError& error) {
    if (bmx::is_transient(error.kind())) return notify::Delivery::later(error.detail());
    if (error.kind() == ErrorKind::unauthorized) {
      return fail(job.visitor_id, "bmx_login_required",
                  "ButterflyMX no longer accepts the sign-in; sign in again.");
    }
    return fail(job.visitor_id, "bmx_rejected", refusal_reason(error));
  }
}

std::optional<std::int64_t> PassIssuance::keychain_for(const std::string& visitor_id,
                                                       const store::Issuance& pass,
                                                       bmx::BmxAccess& access) {
  if (pass.keychain_id) return pass.keychain_id;
  // A previous attempt may have created it before dying or timing out.
  auto keychain_id =
      pass.interrupted ? bmx_.find_keychain(access, keychain_name(visitor_id)) : std::nullopt;
  if (!keychain_id) {
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      store::keychain_requested(tx, visitor_id, access.tenant_id);
    });
    keychain_id = bmx_.create_keychain(access, keychain_request(visitor_id, pass));
  }
  const bool still_wanted = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::keychain_created(tx, visitor_id, *keychain_id);
  });
  if (!still_wanted) {
    bmx_.delete_keychain(access, *keychain_id);
    return std::nullopt;
  }
  return keychain_id;
}

bool PassIssuance::record_issued(const IssueJob& job, std::int64_t keychain_id,
                                 const bmx::VirtualKey& key, bool close_at_window_end) {
  const auto sealed = cipher_.seal(key.pin_code, "pass:" + job.visitor_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::issued(tx, job.visitor_id, key.id, sealed.key_id, sealed.bytes)) return false;
    // In the same transaction: a restart now cannot leave the keychain at BMX
    // for its whole month.
    if (close_at_window_end) queue_window_end(tx, job.visitor_id, job.property_id);
    if (job.sms) {
      outbox_.enqueue(tx, notify::sms_message("pass-sms:" + job.visitor_id, job.sms->to,
                                              job.sms->text, job.property_id));
    }
    const auth::Principal system;
    audit_.record(tx, system,
                  {job.property_id,
                   "pass.issued",
                   "visitor",
                   job.visitor_id,
                   {{"bmx_keychain_id", keychain_id}, {"bmx_virtual_key_id", key.id}}});
    tx.commit();
    return true;
  });
}

void PassIssuance::queue_window_end(pqxx::work& tx, const std::string& visitor_id,
                                    const std::string& property_id) {
  outbox_.enqueue(
      tx, {notify::Channel::bmx,
           "close-pass:" + visitor_id,
           {{"kind", "close_pass"}, {"visitor_id", visitor_id}, {"property_id", property_id}}});
}

notify::Delivery PassIssuance::close_at_window_end(const std::string& visitor_id) {
  const auto pass = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::issuance(tx, visitor_id);
  });
  if (!pass) return notify::Delivery::give_up("no such pass");
  const auto until_end = pass->ends_at - std::chrono::system_clock::now();
  if (until_end > std::chrono::seconds(0)) {
    return notify::Delivery::wait("the window is still open",
                                  std::chrono::ceil<std::chrono::milliseconds>(until_end));
  }
  return delete_at_bmx(visitor_id);
}

void PassIssuance::schedule_reconcile(const std::string& visitor_id,
                                      const std::string& property_id) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    outbox_.enqueue(
        tx,
        {notify::Channel::bmx,
         "reconcile-pass:" + visitor_id,
         {{"kind", "reconcile_pass"}, {"visitor_id", visitor_id}, {"property_id", property_id}}});
    tx.commit();
  });
}

notify::Delivery PassIssuance::fail(const std::string& visitor_id, const std::string& code,
                                    const std::string& reason) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto failed = store::failed(tx, visitor_id, code, reason);
    if (!failed) return;
    const auth::Principal system;
    audit_.record(tx, system,
                  {failed->property_id,
                   "pass.failed",
                   "visitor",
                   visitor_id,
                   {{"code", code}, {"reason", reason}}});
    // The resident who asked for the pass hears about it.
    if (failed->host_user_id) {
      const auto text = notify::pass_failed_push(failed->visitor_name, reason);
      outbox_.enqueue(
          tx, notify::push_message(
                  "pass-failed:" + visitor_id, *failed->host_user_id, text.title, text.body,
                  {{"type", "pass_failed"}, {"visitor_id", visitor_id}, {"reason", reason}}, false,
                  {}, failed->property_id));
    }
    tx.commit();
  });
  return notify::Delivery::ok();
}

notify::Delivery PassIssuance::delete_at_bmx(const std::string& visitor_id) {
  const auto keychain = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::keychain_of(tx, visitor_id, bmx_settle_time_);
  });
  if (!keychain || !keychain->id) return notify::Delivery::ok();
  // The building admin can delete any keychain of the building, also those of a
  // resident whose own BMX link went with their move-out.
  auto access = bmx_.site_access(keychain->property_id);
  if (!access) return notify::Delivery::give_up("the property is no longer connected to BMX");
  try {
    bmx_.delete_keychain(*access, *keychain->id);
  } catch (const BmxError& error) {
    return after_cleanup_error(error);
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    store::deleted_at_bmx(tx, visitor_id);
  });
  return notify::Delivery::ok();
}

notify::Delivery PassIssuance::reconcile(const std::string& visitor_id) {
  const auto keychain = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::keychain_of(tx, visitor_id, bmx_settle_time_);
  });
  if (!keychain) return notify::Delivery::ok();
  if (!keychain->settled) {
    // Not a failure of BMX's: the lane's circuit must not count it.
    return notify::Delivery::wait("waiting for BMX to finish what it may still be doing",
                                  bmx_settle_time_);
  }
  auto access = bmx_.site_access(keychain->property_id);
  if (!access) return notify::Delivery::give_up("the property is no longer connected to BMX");
  // A revoked or failed pass keeps nothing at BMX; an issued one keeps its own keychain.
  const auto keep = keychain->status == PassStatus::issued ? keychain->id : std::nullopt;
  try {
    bmx_.delete_keychains_named(*access, keychain_name(visitor_id), keep);
  } catch (const BmxError& error) {
    return after_cleanup_error(error);
  }
  return notify::Delivery::ok();
}

}  // namespace frontdoor::passes
