#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/calls/types.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/notify/dispatcher.hpp"
#include "frontdoor/notify/outbox.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::calls {

class CallEvents;

// Calls from the panel (or BMX) to a resident, with the state machine of
// types.hpp. Every transition is one conditional UPDATE, so two devices,
// requests or instances can never both win it; each is recorded as a call
// event and in the property's audit trail with its actor.
class CallsService {
 public:
  // An answered call ends by itself after `max_accepted`.
  // `door_release_deadline`: how long a release may take at BMX (its timeout and
  // a margin); a claim older than that belonged to an instance that died.
  CallsService(db::Pool& pool, bmx::BmxService& bmx, const notify::Outbox& outbox,
               const audit::AuditTrail& audit, const common::Clock& clock,
               std::chrono::seconds max_accepted, std::chrono::milliseconds door_release_deadline);
  ~CallsService();

  // The panel side: only the panel's own calls.
  Call start_from_panel(const auth::Principal& panel, const std::string& entry_id);
  Call panel_view(const auth::Principal& panel, const std::string& call_id);
  Call cancel(const auth::Principal& panel, const std::string& call_id);
  // A verified BMX call.create for a linked resident.
  void start_from_bmx(const bmx::VerifiedCall& call);

  // The resident side: another resident's call does not exist (404).
  CallPage list_mine(const auth::Principal& actor, const CallQuery& query);
  Call get(const auth::Principal& actor, const std::string& call_id);
  AcceptedCall accept(const auth::Principal& actor, const std::string& call_id,
                      const std::string& device_id, const std::string& media);
  Call deny(const auth::Principal& actor, const std::string& call_id);
  Call open_door(const auth::Principal& actor, const std::string& call_id);
  Call hangup(const auth::Principal& actor, const std::string& call_id);
  Call media(const auth::Principal& actor, const std::string& call_id, std::optional<bool> audio,
             std::optional<bool> video);

  // Ringing calls whose time ran out go on to the front desk or become missed,
  // and answered ones past their time limit ended; returns how many. Every
  // instance runs it on each outbox pass; SKIP LOCKED keeps them apart. Only
  // this and the transitions write a call: reads show what it will write.
  int sweep_missed();
  // A door release whose instance died mid-way: BMX's access logs say whether the
  // door opened (the call then reads door_opened) or not (the claim goes and the
  // resident may try again). Handled on the urgent BMX lane ("check_door_release").
  notify::Delivery check_door_release(const nlohmann::json& payload);

  // Whether a ring push for this call is still worth sending.
  bool still_ringing(const std::string& call_id) const;

  // The move-out hook, in its transaction: the resident's ringing calls there are
  // canceled and answered ones ended, and their devices told.
  void end_for_move_out(pqxx::work& tx, const auth::Principal& actor, const std::string& user_id,
                        const std::string& property_id) const;

 private:
  // Why `action` did not move the call, as the 404, 403, 409 or 422 the caller
  // gets: one read, in the transaction whose move did nothing. `device_id`: the
  // one an accept named.
  [[noreturn]] void refuse(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& user_id, CallAction action,
                           const std::optional<std::string>& device_id = std::nullopt) const;
  // One conditional UPDATE (the move), recorded as `event`; a refusal when it
  // moved nothing.
  using Move = std::function<std::optional<Call>(pqxx::work& tx)>;
  Call transition(const auth::Principal& actor, const std::string& call_id, const Move& move,
                  const std::string& event, CallAction action);
  // The BMX door for the call's panel: known, or looked up in BMX and remembered.
  std::optional<std::int64_t> access_point_for(bmx::BmxAccess& access, const Call& call);
  // A failed release: the claim dropped, the event recorded, the 502 to throw.
  common::ApiError door_failed(const auth::Principal& actor, const std::string& call_id,
                               const std::string& why, const std::string& kind);

  db::Pool& pool_;
  bmx::BmxService& bmx_;
  const notify::Outbox& outbox_;
  const common::Clock& clock_;
  // What follows each transition: its record and the pushes (events.cpp).
  std::unique_ptr<CallEvents> events_;
  std::chrono::seconds max_accepted_;
  std::chrono::milliseconds door_release_deadline_;
};

}  // namespace frontdoor::calls
