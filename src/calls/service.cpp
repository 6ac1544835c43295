#include "frontdoor/calls/service.hpp"

#include <pqxx/pqxx>

#include "events.hpp"
#include "frontdoor/calls/rules.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/uuid.hpp"
#include "store.hpp"

namespace frontdoor::calls {
namespace {

using common::ApiError;

}  // namespace

CallsService::CallsService(db::Pool& pool, bmx::BmxService& bmx, const notify::Outbox& outbox,
                           const audit::AuditTrail& audit, const common::Clock& clock,
                           std::chrono::seconds max_accepted,
                           std::chrono::milliseconds door_release_deadline)
    : pool_(pool),
      bmx_(bmx),
      outbox_(outbox),
      clock_(clock),
      events_(std::make_unique<CallEvents>(outbox, audit, clock)),
      max_accepted_(max_accepted),
      door_release_deadline_(door_release_deadline) {
  store::prepare(pool_);
}

CallsService::~CallsService() = default;

void CallsService::end_for_move_out(pqxx::work& tx, const auth::Principal& actor,
                                    const std::string& user_id,
                                    const std::string& property_id) const {
  for (const auto& call : store::end_for_resident(tx, user_id, property_id)) {
    const bool was_answered = call.state == CallState::ended;
    events_->record(tx, actor, call, was_answered ? "ended" : "canceled",
                    {{"reason", "moved_out"}});
    if (was_answered) events_->hang_up_devices(tx, call);
  }
}

// ---------------------------------------------------------------------------
// Starting

Call CallsService::start_from_panel(const auth::Principal& panel, const std::string& entry_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto now = clock_.now();
    // The entry is a resident or, in units mode, a unit: each statement checks the mode.
    auto call = store::start_from_panel(tx, entry_id, panel.panel_id, now);
    if (!call) call = store::start_for_unit(tx, entry_id, panel.panel_id, now);
    if (!call) {
      if (auto label = store::listed_unit(tx, entry_id, panel.panel_id)) {
        throw rules::nobody_to_ring(*label);
      }
      throw ApiError::not_found("No such directory entry at this panel.");
    }
    store::ring_residents(tx, call->id);
    events_->record(tx, panel, *call, "started",
                    {{"origin", "panel"}, {"callee", call->unit_id ? "unit" : "resident"}});
    tx.commit();
    return *call;
  });
}

void CallsService::start_from_bmx(const bmx::VerifiedCall& verified) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto call = store::start_from_bmx(tx, verified.user_id, verified.property_id, clock_.now(),
                                      verified.call.id, verified.call.device_id);
    // Already known (a duplicate delivery), or the resident moved out meanwhile.
    if (!call) return;
    store::ring_residents(tx, call->id);
    const auth::Principal bmx;
    events_->record(tx, bmx, *call, "started",
                    {{"origin", "bmx"}, {"bmx_call_id", verified.call.id}});
    tx.commit();
  });
}

// ---------------------------------------------------------------------------
// Reading

bool CallsService::still_ringing(const std::string& call_id) const {
  if (!http::is_uuid(call_id)) return false;
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::still_ringing(tx, call_id, clock_.now());
  });
}

int CallsService::sweep_missed() {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto now = clock_.now();
    const auto forwarded = store::forward_due(tx, now);
    for (const auto& call : forwarded) events_->forwarded(tx, call);
    const auto ended = store::end_due(tx, now);
    for (const auto& call : ended) events_->ended_by_time(tx, call);
    // Releases whose instance died mid-way are checked at BMX, once each.
    const auto stale = store::stale_door_claims(tx, door_release_deadline_);
    for (const auto& claim : stale) {
      outbox_.enqueue(tx, {notify::Channel::bmx_urgent,
                           "door-check:" + claim.call_id + ":" + claim.claimed_at,
                           {{"kind", "check_door_release"},
                            {"call_id", claim.call_id},
                            {"claimed_at", claim.claimed_at}}});
    }
    tx.commit();
    return static_cast<int>(forwarded.size() + ended.size() + stale.size());
  });
}

Call CallsService::panel_view(const auth::Principal& panel, const std::string& call_id) {
  auto call = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::seen_by_panel(tx, call_id, panel.panel_id, clock_.now());
  });
  if (!call) throw ApiError::not_found();
  return *call;
}

Call CallsService::get(const auth::Principal& actor, const std::string& call_id) {
  auto seen = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::seen_by(tx, call_id, actor.user_id, clock_.now());
  });
  // A call that never rang this caller does not exist for them.
  if (!seen) throw ApiError::not_found();
  return std::move(seen->call);
}

CallPage CallsService::list_mine(const auth::Principal& actor, const CallQuery& query) {
  if (actor.kind != auth::Principal::Kind::user) throw ApiError::forbidden();
  auto fetched = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::list_for_resident(tx, actor.user_id, query);
  });
  return common::keyset_page<common::TimeAndId>(
      std::move(fetched), query.limit, [](const Call& call) {
        return common::TimeAndId{common::to_sql_timestamp(call.created_at), call.id};
      });
}

// ---------------------------------------------------------------------------
// Transitions

void CallsService::refuse(pqxx::transaction_base& tx, const std::string& call_id,
                          const std::string& user_id, CallAction action,
                          const std::optional<std::string>& device_id) const {
  const auto seen = store::seen_by(tx, call_id, user_id, clock_.now(), device_id);
  if (!seen) throw ApiError::not_found();  // someone else's call: 404 before anything else
  if (device_id && !seen->own_device) {
    throw ApiError::validation({{"device_id", "unknown", "Not one of your devices."}});
  }
  const auto& [front_desk, still_there] = seen->standing;
  if (!still_there) {
    throw ApiError::forbidden(
        front_desk ? "You no longer work at this property, so you cannot answer its door."
                   : "You no longer live at this property, so you cannot answer its door.");
  }
  const auto& call = seen->call;
  throw rules::refusal(action, call, {front_desk, call.answered_by == user_id});
}

AcceptedCall CallsService::accept(const auth::Principal& actor, const std::string& call_id,
                                  const std::string& device_id, const std::string& media) {
  auto accepted = pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto call =
        store::accept(tx, call_id, actor.user_id, device_id, media, clock_.now(), max_accepted_);
    if (!call) refuse(tx, call_id, actor.user_id, CallAction::accept, device_id);
    events_->record(tx, actor, *call, "accepted", {{"device_id", device_id}, {"media", media}});
    tx.commit();
    return *call;
  });
  // Media flows between BMX and the phone; this is what the app joins with.
  Session session{accepted.origin == Origin::bmx ? "bmx" : "frontdoor", accepted.bmx_call_id,
                  call_id};
  return AcceptedCall{accepted, session};
}

Call CallsService::transition(const auth::Principal& actor, const std::string& call_id,
                              const Move& move, const std::string& event, CallAction action) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto call = move(tx);
    if (!call) refuse(tx, call_id, actor.user_id, action);
    events_->record(tx, actor, *call, event);
    tx.commit();
    return *call;
  });
}

Call CallsService::deny(const auth::Principal& actor, const std::string& call_id) {
  // Leaving "ringing" also needs the ring time not to have run out.
  const auto move = [&](pqxx::work& tx) {
    return store::deny(tx, call_id, actor.user_id, clock_.now());
  };
  return transition(actor, call_id, move, "denied", CallAction::deny);
}

Call CallsService::hangup(const auth::Principal& actor, const std::string& call_id) {
  const auto move = [&](pqxx::work& tx) { return store::hang_up(tx, call_id, actor.user_id); };
  return transition(actor, call_id, move, "ended", CallAction::hangup);
}

Call CallsService::media(const auth::Principal& actor, const std::string& call_id,
                         std::optional<bool> audio, std::optional<bool> video) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto call = store::change_media(tx, call_id, actor.user_id, audio, video, clock_.now());
    if (!call) refuse(tx, call_id, actor.user_id, CallAction::media);
    nlohmann::json details = nlohmann::json::object();
    if (audio) details["audio"] = *audio;
    if (video) details["video"] = *video;
    events_->note(tx, actor, call_id, "media", details);
    tx.commit();
    return *call;
  });
}

Call CallsService::cancel(const auth::Principal& panel, const std::string& call_id) {
  auto canceled = pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto call = store::cancel(tx, call_id, panel.panel_id);
    if (!call) return call;
    events_->record(tx, panel, *call, "canceled");
    tx.commit();
    return call;
  });
  if (!canceled) {
    const auto state = to_string(panel_view(panel, call_id).state);  // 404: another panel's
    throw ApiError::conflict("call_" + state, "The call is " + state + ".");
  }
  return *canceled;
}

// ---------------------------------------------------------------------------
// Opening the door

std::optional<std::int64_t> CallsService::access_point_for(bmx::BmxAccess& access,
                                                           const Call& call) {
  if (call.bmx_access_point_id) return call.bmx_access_point_id;
  if (!call.bmx_device_id) return std::nullopt;
  const auto found = bmx_.find_access_point(access, *call.bmx_device_id);
  if (found && call.panel_id) {
    // Remembered for the panel, so the next call skips the look-up.
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      store::learn_panel_door(tx, *call.panel_id, *found);
    });
  }
  return found;
}

ApiError CallsService::door_failed(const auth::Principal& actor, const std::string& call_id,
                                   const std::string& why, const std::string& kind) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    store::drop_door_claim(tx, call_id);
    events_->note(tx, actor, call_id, "door_release_failed", {{"reason", kind}});
    tx.commit();
  });
  return ApiError(502, "door_release_failed", "The door did not open", why);
}

Call CallsService::open_door(const auth::Principal& actor, const std::string& call_id) {
  // Claim the release first: a second tap while BMX works gets 409, not a second
  // release. The claim carries the panel's door when it is known.
  const auto claimed = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    auto call = store::claim_door_release(tx, call_id, actor.user_id, clock_.now());
    if (!call) refuse(tx, call_id, actor.user_id, CallAction::open_door);
    return *call;
  });

  auto access = bmx_.door_access(actor.user_id, claimed.property_id);
  if (!access) {
    throw door_failed(actor, call_id, "This property is not connected to ButterflyMX.",
                      "not_set_up");
  }
  std::int64_t release_id = 0;
  try {
    const auto access_point = access_point_for(*access, claimed);
    if (!access_point) {
      throw door_failed(actor, call_id, "This panel is not linked to a ButterflyMX door.",
                        "no_access_point");
    }
    release_id = bmx_.release_door(*access, *access_point);
  } catch (const bmx::BmxError& error) {
    // Never repeated by us: the resident sees the failure and may tap again.
    throw door_failed(actor, call_id,
                      error.kind() == bmx::ErrorKind::timeout
                          ? "ButterflyMX did not confirm in time; the door may not have opened. "
                            "Try again."
                          : "ButterflyMX did not open the door. Try again.",
                      bmx::to_string(error.kind()));
  }
  auto opened = pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto call = store::door_opened(tx, call_id);
    if (!call) return call;
    events_->record(tx, actor, *call, "door_opened", {{"bmx_door_release_id", release_id}});
    tx.commit();
    return call;
  });
  return opened ? *opened : get(actor, call_id);
}

notify::Delivery CallsService::check_door_release(const nlohmann::json& payload) {
  const store::StaleDoorClaim claim{payload.value("call_id", ""), payload.value("claimed_at", "")};
  const auto call = pool_.run([&](pqxx::connection& connection) -> std::optional<Call> {
    pqxx::nontransaction tx(connection);
    if (!store::door_claim_stands(tx, claim)) return std::nullopt;
    return store::find(tx, claim.call_id);
  });
  // Finished meanwhile, or a newer claim is under way: nothing to check.
  if (!call || !call->answered_by) return notify::Delivery::ok();
  bool released = false;
  if (call->bmx_access_point_id) {
    auto access = bmx_.door_access(*call->answered_by, call->property_id);
    if (access) {
      // BMX logs to the second, and logs the release after the claim was taken:
      // from the claim's own second on.
      const auto since = std::chrono::floor<std::chrono::seconds>(
          common::parse_rfc3339(claim.claimed_at).value_or(clock_.now()));
      try {
        released = bmx_.door_released_since(call->property_id, *call->bmx_access_point_id,
                                            access->tenant_id, common::to_rfc3339(since));
      } catch (const bmx::BmxError& error) {
        if (bmx::is_transient(error.kind())) return notify::Delivery::later(error.detail());
        return notify::Delivery::give_up(error.detail());
      }
    }
  }
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::door_claim_stands(tx, claim)) return;
    const auth::Principal system;
    if (released) {
      // BMX opened it: the call ends as it would have, and the panel says so.
      if (auto opened = store::door_opened(tx, claim.call_id)) {
        events_->record(tx, system, *opened, "door_opened", {{"confirmed_by", "bmx_access_log"}});
      }
    } else {
      // The release never reached the door: the call stays answered, and the
      // resident may open it again.
      store::drop_door_claim(tx, claim.call_id);
      events_->note(tx, system, claim.call_id, "door_release_unconfirmed", {});
    }
    tx.commit();
  });
  return notify::Delivery::ok();
}

}  // namespace frontdoor::calls
