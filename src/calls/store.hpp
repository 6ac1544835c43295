#pragma once

// The calls module's SQL (store.cpp) behind typed functions: arguments in, Call
// structs out. A transition is one conditional UPDATE that names the state it
// leaves, so of two racing requests exactly one gets the call back; nothing
// (an empty optional) means it did not move.
#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/calls/types.hpp"
#include "frontdoor/common/clock.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::calls::store {

// Registers the module's prepared statements.
void prepare(db::Pool& pool);

// A panel's call to a directory entry (a listed residency at its property).
std::optional<Call> start_from_panel(pqxx::transaction_base& tx, const std::string& entry_id,
                                     const std::string& panel_id, common::TimePoint now);
// A BMX call to a linked resident; nothing for a duplicate or a resident gone.
std::optional<Call> start_from_bmx(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id, common::TimePoint now,
                                   std::int64_t bmx_call_id, std::int64_t bmx_device_id);

// A panel's call to a unit in units mode; nothing when the unit is not one this
// panel lists or nobody there can take calls.
std::optional<Call> start_for_unit(pqxx::transaction_base& tx, const std::string& unit_id,
                                   const std::string& panel_id, common::TimePoint now);
// The label of a unit the panel lists (units mode, its property).
std::optional<std::string> listed_unit(pqxx::transaction_base& tx, const std::string& unit_id,
                                       const std::string& panel_id);

// The call's group. A new call rings its resident or the unit's listed
// residents; a forwarded one rings the front desk (staff and managers with a
// phone). Each returns the users added.
std::vector<std::string> ring_residents(pqxx::transaction_base& tx, const std::string& call_id);
std::vector<std::string> ring_front_desk(pqxx::transaction_base& tx, const std::string& call_id);
// Everyone the call rang in `role` ("resident", "front_desk"; nothing: all).
std::vector<std::string> recipients(pqxx::transaction_base& tx, const std::string& call_id,
                                    const std::optional<std::string>& role = std::nullopt);
// Ringing calls nobody answered in time that go on to the front desk, with a
// ring window of their own (up to 100, skipping those another instance holds).
std::vector<Call> forward_due(pqxx::transaction_base& tx, common::TimePoint now);

// The call as stored.
std::optional<Call> find(pqxx::transaction_base& tx, const std::string& call_id);

// What a person is to a call: in the front desk's part of its group or the
// residents', and still where it found them (living or working at its property).
struct Standing {
  bool front_desk = false;
  bool still_there = false;
};
// The call as a person it rang sees it now (forwarded, missed or ended by the
// clock even before the sweep writes it), where they stand, and whether
// `device_id` is theirs. Nothing when the call never rang them. Reads only.
struct Seen {
  Call call;
  Standing standing;
  bool own_device = false;
};
std::optional<Seen> seen_by(pqxx::transaction_base& tx, const std::string& call_id,
                            const std::string& user_id, common::TimePoint now,
                            const std::optional<std::string>& device_id = std::nullopt);
// The call as its panel sees it now; nothing for another panel's.
std::optional<Call> seen_by_panel(pqxx::transaction_base& tx, const std::string& call_id,
                                  const std::string& panel_id, common::TimePoint now);

// Up to 100 calls due to end, skipping those another instance holds.
std::vector<Call> end_due(pqxx::transaction_base& tx, common::TimePoint now);
// Move-out: ringing calls canceled, answered ones ended.
std::vector<Call> end_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id);
bool still_ringing(pqxx::transaction_base& tx, const std::string& call_id, common::TimePoint now);
// Up to query.limit + 1 of the calls that rang the user, newest first.
std::vector<Call> list_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                    const CallQuery& query);

// The transitions: accept and deny by someone the call rings now, the rest by
// whoever answered; each also checks, in the same statement, that the caller
// still lives (or, at the front desk, works) at the call's property.
std::optional<Call> accept(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& user_id, const std::string& device_id,
                           const std::string& media, common::TimePoint now,
                           std::chrono::seconds longest);
std::optional<Call> deny(pqxx::transaction_base& tx, const std::string& call_id,
                         const std::string& user_id, common::TimePoint now);
std::optional<Call> hang_up(pqxx::transaction_base& tx, const std::string& call_id,
                            const std::string& user_id);
std::optional<Call> change_media(pqxx::transaction_base& tx, const std::string& call_id,
                                 const std::string& user_id, std::optional<bool> audio,
                                 std::optional<bool> video, common::TimePoint now);
// A door release is claimed before BMX is asked, so a second tap gets 409.
std::optional<Call> claim_door_release(pqxx::transaction_base& tx, const std::string& call_id,
                                       const std::string& user_id, common::TimePoint now);
void drop_door_claim(pqxx::transaction_base& tx, const std::string& call_id);
// A door release claimed at `claimed_at` (microseconds, UTC) and not finished.
struct StaleDoorClaim {
  std::string call_id;
  std::string claimed_at;
};
// Claims older than `deadline`, each marked checked (returned once).
std::vector<StaleDoorClaim> stale_door_claims(pqxx::transaction_base& tx,
                                              std::chrono::milliseconds deadline);
// Whether the call still holds that very claim.
bool door_claim_stands(pqxx::transaction_base& tx, const StaleDoorClaim& claim);
std::optional<Call> door_opened(pqxx::transaction_base& tx, const std::string& call_id);
// A panel cancels only its own ringing calls.
std::optional<Call> cancel(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& panel_id);

// The call's history (JSON text details).
void record_event(pqxx::transaction_base& tx, const std::string& call_id, const std::string& event,
                  const std::string& actor, const std::string& details_json);
// The panel's BMX door, learnt from its device (the panels' owner keeps it).
void learn_panel_door(pqxx::transaction_base& tx, const std::string& panel_id,
                      std::int64_t access_point_id);

}  // namespace frontdoor::calls::store
