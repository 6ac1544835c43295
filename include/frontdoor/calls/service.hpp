#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/result>
#include <string>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/router.hpp"
#include "frontdoor/notify/outbox.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::calls {

// Calls from the panel (or BMX) to a resident, with the state machine of
// CONTRACT.md ("Directory and calls"): ringing -> accepted | denied | missed |
// canceled; accepted -> door_opened | ended; routed_to_phone when BMX rings the
// resident's phone instead. Every transition is one conditional UPDATE, so two
// devices, requests or instances can never both win it; each is recorded as a
// call event and in the property's audit trail with its actor.
class CallsService {
 public:
  // An answered call ends by itself after `max_accepted`.
  CallsService(db::Pool& pool, bmx::BmxService& bmx, const notify::Outbox& outbox,
               const audit::AuditTrail& audit, const common::Clock& clock,
               std::chrono::seconds max_accepted);

  // The panel side.
  nlohmann::json start_from_panel(const auth::Principal& panel, const std::string& entry_id);
  nlohmann::json panel_view(const auth::Principal& panel, const std::string& call_id);
  nlohmann::json cancel(const auth::Principal& panel, const std::string& call_id);
  // A verified BMX call.create for a linked resident.
  void start_from_bmx(const bmx::VerifiedCall& call);

  // The resident side.
  http::Response list_mine(const auth::Principal& actor, const http::PageRequest& page);
  nlohmann::json get(const auth::Principal& actor, const std::string& call_id);
  nlohmann::json accept(const auth::Principal& actor, const std::string& call_id,
                        const std::string& device_id, const std::string& media);
  nlohmann::json deny(const auth::Principal& actor, const std::string& call_id);
  nlohmann::json open_door(const auth::Principal& actor, const std::string& call_id);
  nlohmann::json hangup(const auth::Principal& actor, const std::string& call_id);
  nlohmann::json media(const auth::Principal& actor, const std::string& call_id,
                       std::optional<bool> audio, std::optional<bool> video);

  // Ringing calls whose time ran out become missed, and answered ones past their
  // time limit ended; returns how many. Every instance runs it on each outbox
  // pass; SKIP LOCKED keeps them apart.
  int sweep_missed();

  // Whether a ring push for this call is still worth sending.
  bool still_ringing(const std::string& call_id) const;

  // The move-out hook, in its transaction: the resident's ringing calls there are
  // canceled and answered ones ended, and their devices told.
  void end_for_move_out(pqxx::work& tx, const auth::Principal& actor, const std::string& user_id,
                        const std::string& property_id) const;

 private:
  struct Moved;
  // After a transition: its event, the audit trail, and pushes that stop the
  // other devices ringing when a ringing call ended.
  void after(pqxx::work& tx, const auth::Principal& actor, const pqxx::row& call,
             const std::string& event, const nlohmann::json& details) const;
  // The pushes: ring every device; stop the others ringing; hang up the one in a
  // call that frontdoor ended.
  void ring(pqxx::work& tx, const pqxx::row& call) const;
  void stop_ringing(pqxx::work& tx, const pqxx::row& call) const;
  void hang_up_devices(pqxx::work& tx, const pqxx::row& call) const;
  void tell_devices(pqxx::work& tx, const pqxx::row& call, const std::string& key_prefix,
                    const std::string& type, const std::string& text) const;
  // A call the clock ended: missed (it rang out) or timed out (answered too long).
  void ended_by_time(pqxx::work& tx, const pqxx::row& call) const;
  // Why a transition did not happen, as the 409 (or 404) the caller gets.
  [[noreturn]] void refuse(const std::string& call_id, const std::string& user_id,
                           const std::string& wanted);
  // One conditional UPDATE (the move) and what follows it; a refusal when it moved nothing.
  using Move = std::function<pqxx::result(pqxx::work& tx)>;
  nlohmann::json transition(const auth::Principal& actor, const std::string& call_id,
                            const Move& move, const std::string& event, const std::string& wanted);
  // The call as it is now: expired to missed first when its ring time is over.
  pqxx::result current(pqxx::work& tx, const std::string& call_id) const;
  std::optional<std::int64_t> access_point_for(bmx::BmxAccess& access, const std::string& panel_id,
                                               std::optional<std::int64_t> device_id);

  db::Pool& pool_;
  bmx::BmxService& bmx_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
  const common::Clock& clock_;
  std::chrono::seconds max_accepted_;
};

}  // namespace frontdoor::calls
