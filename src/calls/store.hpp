#pragma once

// The calls module's SQL (store.cpp) behind typed functions: arguments in, Call
// structs out. A transition is one conditional UPDATE that names the state it
// leaves, so of two racing requests exactly one gets the call back; nothing
// (an empty optional) means it did not move.
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

// Registers the module's prepared statements (names start with "calls_").
void prepare(db::Pool& pool);

// A panel's call to a directory entry (a listed residency at its property).
std::optional<Call> start_from_panel(pqxx::transaction_base& tx, const std::string& entry_id,
                                     const std::string& panel_id, common::TimePoint now);
// A BMX call to a linked resident; nothing for a duplicate or a resident gone.
std::optional<Call> start_from_bmx(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id, common::TimePoint now,
                                   std::int64_t bmx_call_id, std::int64_t bmx_device_id);

std::optional<Call> find(pqxx::transaction_base& tx, const std::string& call_id);
// The call ended by the clock now if it is due (missed, or answered too long).
std::optional<Call> end_if_due(pqxx::transaction_base& tx, const std::string& call_id,
                               common::TimePoint now);
// Up to 100 calls due to end, skipping those another instance holds.
std::vector<Call> end_due(pqxx::transaction_base& tx, common::TimePoint now);
// Move-out: ringing calls canceled, answered ones ended.
std::vector<Call> end_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id);
bool still_ringing(pqxx::transaction_base& tx, const std::string& call_id, common::TimePoint now);
bool caller_lives_here(pqxx::transaction_base& tx, const std::string& call_id,
                       const std::string& user_id);
bool is_device_of(pqxx::transaction_base& tx, const std::string& device_id,
                  const std::string& user_id);
// Up to query.limit + 1 of the resident's calls, newest first.
std::vector<Call> list_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                    const CallQuery& query);

// The resident's transitions: each also checks, in the same statement, that the
// caller lives at the call's property now.
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
