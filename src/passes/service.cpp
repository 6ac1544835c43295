#include "frontdoor/passes/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/notify/messages.hpp"
#include "issuance.hpp"
#include "store.hpp"

namespace frontdoor::passes {

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
      issuance_(std::make_unique<PassIssuance>(pool, bmx, cipher, outbox, audit, bmx_settle_time)) {
  store::prepare(pool_);
}

PassesService::~PassesService() = default;

void PassesService::register_on(notify::Dispatcher& dispatcher) {
  issuance_->register_on(dispatcher);
}

void PassesService::queue_deletion(pqxx::work& tx, const std::string& visitor_id,
                                   const std::string& property_id, notify::Channel lane) const {
  outbox_.enqueue(
      tx, {lane,
           "revoke-pass:" + visitor_id,
           {{"kind", "revoke_pass"}, {"visitor_id", visitor_id}, {"property_id", property_id}}});
}

CreatedPass PassesService::create(pqxx::work& tx, const NewPass& pass) const {
  std::optional<std::string> token, token_hash;
  if (pass.sms_to) {
    token = common::random_hex(16);  // 128 bits
    token_hash = common::sha256_hex(*token);
  }
  store::insert(tx,
                {pass.visitor_id, pass.property_id,
                 pass.holder_user_id.empty() ? std::nullopt : std::optional(pass.holder_user_id),
                 pass.on_placeholder, token_hash, pass.max_uses});
  IssueJob job{pass.visitor_id, pass.property_id, std::nullopt};
  CreatedPass result;
  if (token) {
    const auto url = public_base_url_ + "/p/" + *token;
    // The link text travels with the job: the SMS goes out once the pass exists.
    job.sms = IssueJob::Sms{
        *pass.sms_to,
        notify::visitor_pass_sms(pass.host_name, pass.property_name, pass.window_text, url)};
    result.url = url;
  }
  outbox_.enqueue(tx, {notify::Channel::bmx, "issue-pass:" + pass.visitor_id, to_payload(job)});
  return result;
}

bool PassesService::revoke(pqxx::work& tx, const auth::Principal& actor,
                           const std::string& visitor_id) const {
  const auto revoked = store::revoke(tx, visitor_id);
  if (!revoked) return false;
  // A keychain not yet known here is deleted by the issuance that creates it.
  if (revoked->has_keychain) queue_deletion(tx, visitor_id, revoked->property_id);
  audit_.record(tx, actor, {revoked->property_id, "pass.revoked", "visitor", visitor_id, {}});
  return true;
}

void PassesService::revoke_hosted_by(pqxx::work& tx, const auth::Principal& actor,
                                     const std::string& user_id,
                                     const std::string& property_id) const {
  for (const auto& revoked : store::revoke_hosted_by(tx, user_id, property_id)) {
    if (revoked.has_keychain) queue_deletion(tx, revoked.visitor_id, property_id);
    audit_.record(tx, actor,
                  {property_id,
                   "pass.revoked",
                   "visitor",
                   revoked.visitor_id,
                   {{"reason", "host_moved_out"}}});
  }
}

void PassesService::revoke_all_at(pqxx::work& tx, const auth::Principal& actor,
                                  const std::string& property_id) const {
  const auto revoked = store::revoke_all_at(tx, property_id);
  for (const auto& pass : revoked) {
    if (pass.has_keychain) queue_deletion(tx, pass.visitor_id, property_id);
  }
  audit_.record(
      tx, actor,
      {property_id, "passes.revoked_all", "property", property_id, {{"count", revoked.size()}}});
}

void PassesService::on_access(const bmx::VerifiedAccess& event) {
  if (!event.access.unlocked() || !event.access.tenant_id) return;
  const auto candidates = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::usage_candidates(tx, event.property_id, *event.access.tenant_id, clock_.now());
  });
  if (candidates.empty()) return;
  auto access = bmx_.site_access(event.property_id);
  if (!access) return;
  for (const auto& candidate : candidates) {
    // The event names no key: BMX's count of each key's uses says whose it was.
    const auto key = bmx_.key_usage(*access, candidate.key_id);
    if (key.usage_count <= candidate.uses) continue;
    record_use(event.property_id, candidate, key);
  }
}

void PassesService::record_use(const std::string& property_id,
                               const store::UsageCandidate& candidate,
                               const bmx::VirtualKey& key) const {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto used =
        store::used(tx, candidate.visitor_id, key.usage_count, key.first_used_at, key.last_used_at);
    if (!used) return;  // another event's read got there first
    const auth::Principal system;
    if (used->first_arrival) {
      audit_.record(tx, system,
                    {property_id, "visitor.arrived", "visitor", candidate.visitor_id, {}});
      tell_host(tx, candidate, property_id, Told::arrived,
                notify::visitor_arrived_push(candidate.visitor_name));
    }
    if (used->cap_reached) {
      audit_.record(tx, system,
                    {property_id,
                     "pass.used_up",
                     "visitor",
                     candidate.visitor_id,
                     {{"uses", key.usage_count}}});
      // BMX ends one_time and delivery keys itself, a few minutes after their
      // use, so that a visitor can still pass an inner door; a window pass has
      // no such rule there and is deleted at BMX now, on the lane no backlog of
      // issuances shares: every moment it stays, its QR code still opens.
      if (candidate.kind == visitors::Kind::window) {
        const auto revoked = store::revoke(tx, candidate.visitor_id);
        if (revoked && revoked->has_keychain) {
          queue_deletion(tx, candidate.visitor_id, property_id, notify::Channel::bmx_urgent);
        }
        tell_host(tx, candidate, property_id, Told::used_up,
                  notify::pass_used_up_push(candidate.visitor_name, key.usage_count));
      }
    }
    tx.commit();
  });
}

void PassesService::tell_host(pqxx::work& tx, const store::UsageCandidate& candidate,
                              const std::string& property_id, Told what,
                              const notify::PushText& text) const {
  if (!candidate.host_user_id) return;
  const bool arrived = what == Told::arrived;
  const std::string key = arrived ? "arrived:" : "used-up:";
  const auto type = arrived ? "visitor_arrived" : "pass_used_up";
  outbox_.enqueue(
      tx, notify::push_message(key + candidate.visitor_id, *candidate.host_user_id, text.title,
                               text.body, {{"type", type}, {"visitor_id", candidate.visitor_id}},
                               false, {}, property_id));
}

// ---------------------------------------------------------------------------
// What visitors see

std::vector<Credential> PassesService::credentials(const auth::Principal& actor) {
  if (actor.kind != auth::Principal::Kind::user) throw common::ApiError::forbidden();
  const auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::credentials_of(tx, actor.user_id, clock_.now());
  });
  std::vector<Credential> credentials;
  for (const auto& row : rows) {
    credentials.push_back(
        {row.visitor_id, row.property_id, row.property_name, row.starts_at, row.ends_at,
         row.valid_now,
         cipher_.open({row.sealing_key_id, row.sealed_credential}, "pass:" + row.visitor_id)});
  }
  return credentials;
}

}  // namespace frontdoor::passes
