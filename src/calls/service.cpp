#include "frontdoor/calls/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/uuid.hpp"
#include "store.hpp"

namespace frontdoor::calls {
namespace {

using common::ApiError;
namespace col = store;

nlohmann::json text_or_null(const pqxx::field& field) {
  return field.is_null() ? nlohmann::json(nullptr) : nlohmann::json(field.as<std::string>());
}

// What the panel's screen says in each state.
std::string panel_message(const std::string& state, const std::string& callee) {
  if (state == "ringing") return "Calling " + callee + "...";
  if (state == "accepted") return "Connected to " + callee;
  if (state == "denied") return callee + " is not available. You may call again.";
  if (state == "missed") return callee + " did not answer. You may call again.";
  if (state == "canceled") return "Call canceled";
  if (state == "door_opened") return "Door opened";
  if (state == "routed_to_phone") return "Calling " + callee + "'s phone...";
  return "Call ended";
}

nlohmann::json call_json(const pqxx::row& row) {
  const auto state = row[col::kState].as<std::string>();
  const auto callee = row[col::kCalleeLabel].as<std::string>();
  nlohmann::json json = {
      {"id", row[col::kId].as<std::string>()},
      {"state", state},
      {"panel_message", panel_message(state, callee)},
      {"origin", row[col::kOrigin].as<std::string>()},
      {"routed_to", row[col::kRoutedTo].as<std::string>()},
      {"video_offered", row[col::kVideoOffered].as<bool>()},
      {"callee_label", callee},
      {"panel_name", text_or_null(row[col::kPanelName])},
      {"created_at", row[col::kCreatedAt].as<std::string>()},
      {"ring_deadline", row[col::kRingDeadline].as<std::string>()},
      {"answered_at", text_or_null(row[col::kAnsweredAt])},
      {"ended_at", text_or_null(row[col::kEndedAt])},
      {"media", text_or_null(row[col::kMedia])},
      {"audio", row[col::kAudioOn].is_null() ? nlohmann::json(nullptr)
                                             : nlohmann::json(row[col::kAudioOn].as<bool>())},
      {"video", row[col::kVideoOn].is_null() ? nlohmann::json(nullptr)
                                             : nlohmann::json(row[col::kVideoOn].as<bool>())},
      {"accepted_device_id", text_or_null(row[col::kAcceptedDeviceId])}};
  // Phone Calls in BMX: BMX rings the phone number, the app only learns why.
  if (json["routed_to"] == "phone") {
    json["routing_reason"] =
        "Your ButterflyMX contact preference is Phone Calls, so ButterflyMX calls your phone "
        "number instead of this app (no video). Choose Mobile App in ButterflyMX to answer here.";
  }
  return json;
}

nlohmann::json panel_json(const pqxx::row& row) {
  const auto state = row[col::kState].as<std::string>();
  return {{"call_id", row[col::kId].as<std::string>()},
          {"state", state},
          {"panel_message", panel_message(state, row[col::kCalleeLabel].as<std::string>())}};
}

}  // namespace

CallsService::CallsService(db::Pool& pool, bmx::BmxService& bmx, const notify::Outbox& outbox,
                           const audit::AuditTrail& audit, const common::Clock& clock,
                           std::chrono::seconds max_accepted)
    : pool_(pool),
      bmx_(bmx),
      outbox_(outbox),
      audit_(audit),
      clock_(clock),
      max_accepted_(max_accepted) {
  store::prepare(pool_);
}

void CallsService::after(pqxx::work& tx, const auth::Principal& actor, const pqxx::row& call,
                         const std::string& event, const nlohmann::json& details) const {
  const auto call_id = call[col::kId].as<std::string>();
  const auto property_id = call[col::kPropertyId].as<std::string>();
  const auto state = call[col::kState].as<std::string>();
  tx.exec_prepared("calls_event", call_id, event, actor.actor(), details.dump());
  audit_.record(tx, actor, {property_id, "call." + event, "call", call_id, details});
  if (event == "started" && state == "ringing") {
    ring(tx, call);
  } else if (event == "accepted" || event == "denied" || event == "missed" || event == "canceled") {
    stop_ringing(tx, call);
  } else if (event == "door_opened") {
    // The door's result reaches the phones at once, even if the answer to the tap
    // was lost on the way: the app closes its call screen.
    tell_devices(tx, call, "call-door:", "door_opened", "Door opened");
  }
}

void CallsService::ring(pqxx::work& tx, const pqxx::row& call) const {
  const auto call_id = call[col::kId].as<std::string>();
  const auto property_id = call[col::kPropertyId].as<std::string>();
  // What CallKit and ConnectionService need to show the call.
  const auto caller =
      "Visitor at " + (call[col::kPanelName].is_null() ? std::string("the entrance")
                                                       : call[col::kPanelName].as<std::string>());
  outbox_.enqueue(tx,
                  notify::push_message(
                      "call-ring:" + call_id, call[col::kResidentUserId].as<std::string>(), caller,
                      "Tap to answer " + call[col::kCalleeLabel].as<std::string>() + "'s door",
                      {{"type", "incoming_call"},
                       {"call_id", call_id},
                       {"caller_label", caller},
                       {"panel_name", text_or_null(call[col::kPanelName])},
                       {"video_offered", call[col::kVideoOffered].as<bool>()},
                       {"property_id", property_id}},
                      true, call[col::kRingDeadline].as<std::string>(), property_id));
}

void CallsService::stop_ringing(pqxx::work& tx, const pqxx::row& call) const {
  // Every device stops ringing; the one that answered knows it did.
  tell_devices(tx, call, "call-stop:", "call_ended",
               panel_message(call[col::kState].as<std::string>(), "The resident"));
}

void CallsService::hang_up_devices(pqxx::work& tx, const pqxx::row& call) const {
  // An answered call that frontdoor ended (time limit, move-out): the device in
  // the call hangs up and shows why. (Its own key: the ringing stopped long ago.)
  tell_devices(tx, call, "call-end:", "call_ended", "The call has ended.");
}

void CallsService::tell_devices(pqxx::work& tx, const pqxx::row& call,
                                const std::string& key_prefix, const std::string& type,
                                const std::string& text) const {
  // Urgent, like the ring (a VoIP push is): a phone that keeps ringing, or a call
  // screen that stays open, is what people notice.
  const auto call_id = call[col::kId].as<std::string>();
  outbox_.enqueue(
      tx, notify::push_message(key_prefix + call_id, call[col::kResidentUserId].as<std::string>(),
                               type == "door_opened" ? "Door opened" : "Call ended", text,
                               {{"type", type},
                                {"call_id", call_id},
                                {"state", call[col::kState].as<std::string>()},
                                {"answered_device_id", text_or_null(call[col::kAcceptedDeviceId])}},
                               true, common::to_rfc3339(clock_.now() + std::chrono::minutes(1)),
                               call[col::kPropertyId].as<std::string>()));
}

void CallsService::ended_by_time(pqxx::work& tx, const pqxx::row& call) const {
  auth::Principal system;
  if (call[col::kState].as<std::string>() == "missed") {
    after(tx, system, call, "missed", nlohmann::json::object());
  } else {
    after(tx, system, call, "timed_out", nlohmann::json::object());
    hang_up_devices(tx, call);
  }
}

void CallsService::end_for_move_out(pqxx::work& tx, const auth::Principal& actor,
                                    const std::string& user_id,
                                    const std::string& property_id) const {
  for (const auto& call : tx.exec_prepared("calls_end_for_resident", user_id, property_id)) {
    const bool was_answered = call[col::kState].as<std::string>() == "ended";
    after(tx, actor, call, was_answered ? "ended" : "canceled", {{"reason", "moved_out"}});
    if (was_answered) hang_up_devices(tx, call);
  }
}

// ---------------------------------------------------------------------------
// Starting

nlohmann::json CallsService::start_from_panel(const auth::Principal& panel,
                                              const std::string& entry_id) {
  auto result = pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_start_panel", entry_id, panel.panel_id,
                                 common::to_sql_timestamp(clock_.now()));
    if (rows.empty()) throw ApiError::not_found("No such directory entry at this panel.");
    after(tx, panel, rows[0], "started", {{"origin", "panel"}});
    tx.commit();
    return panel_json(rows[0]);
  });
  return result;
}

void CallsService::start_from_bmx(const bmx::VerifiedCall& verified) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_start_bmx", verified.user_id, verified.property_id,
                                 common::to_sql_timestamp(clock_.now()), verified.call.id,
                                 verified.call.device_id);
    // Already known (a duplicate delivery), or the resident moved out meanwhile.
    if (rows.empty()) return;
    auth::Principal bmx;
    after(tx, bmx, rows[0], "started", {{"origin", "bmx"}, {"bmx_call_id", verified.call.id}});
    tx.commit();
  });
}

// ---------------------------------------------------------------------------
// Reading

pqxx::result CallsService::current(pqxx::work& tx, const std::string& call_id) const {
  // A call past its ring time is missed now, and one past its time limit ended,
  // whether or not a sweep ran yet.
  auto expired =
      tx.exec_prepared("calls_expire_one", call_id, common::to_sql_timestamp(clock_.now()));
  if (!expired.empty()) ended_by_time(tx, expired[0]);
  return tx.exec_prepared("calls_get", call_id);
}

bool CallsService::still_ringing(const std::string& call_id) const {
  if (!http::is_uuid(call_id)) return false;
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return !tx.exec_prepared("calls_still_ringing", call_id, common::to_sql_timestamp(clock_.now()))
                .empty();
  });
}

int CallsService::sweep_missed() {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_sweep", common::to_sql_timestamp(clock_.now()));
    for (const auto& row : rows) ended_by_time(tx, row);
    tx.commit();
    return static_cast<int>(rows.size());
  });
}

nlohmann::json CallsService::panel_view(const auth::Principal& panel, const std::string& call_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = current(tx, call_id);
    if (rows.empty() || rows[0][col::kPanelId].is_null() ||
        rows[0][col::kPanelId].as<std::string>() != panel.panel_id) {
      throw ApiError::not_found();
    }
    tx.commit();
    return panel_json(rows[0]);
  });
}

nlohmann::json CallsService::get(const auth::Principal& actor, const std::string& call_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = current(tx, call_id);
    // Another resident's call does not exist for this caller.
    if (rows.empty() || rows[0][col::kResidentUserId].as<std::string>() != actor.user_id) {
      throw ApiError::not_found();
    }
    tx.commit();
    return call_json(rows[0]);
  });
}

http::Response CallsService::list_mine(const auth::Principal& actor,
                                       const http::PageRequest& page) {
  if (actor.kind != auth::Principal::Kind::user) throw ApiError::forbidden();
  const auto after = http::time_and_id_after(page);
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    if (!after) return tx.exec_prepared("calls_list_mine_first", actor.user_id, page.limit + 1);
    return tx.exec_prepared("calls_list_mine_after", actor.user_id, after->time, after->id,
                            page.limit + 1);
  });
  nlohmann::json items = nlohmann::json::array();
  std::optional<nlohmann::json> next;
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < page.limit; ++i) {
    items.push_back(call_json(rows[i]));
    if (static_cast<int>(rows.size()) > page.limit && static_cast<int>(i) == page.limit - 1) {
      next = nlohmann::json::array(
          {rows[i][col::kCursor].as<std::string>(), rows[i][col::kId].as<std::string>()});
    }
  }
  return http::page_response(std::move(items), next);
}

// ---------------------------------------------------------------------------
// Transitions

void CallsService::refuse(const std::string& call_id, const std::string& user_id,
                          const std::string& wanted) {
  const auto current = get(auth::Principal{auth::Principal::Kind::user, user_id, {}, {}, {}},
                           call_id);  // 404 for someone else's call
  const bool lives_here = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return !tx.exec_prepared("calls_caller_lives_here", call_id, user_id).empty();
  });
  if (!lives_here) {
    throw ApiError::forbidden(
        "You no longer live at this property, so you cannot answer its door.");
  }
  const std::string state = current["state"];
  if (wanted == "accept" && state == "accepted") {
    throw ApiError::conflict("answered_elsewhere", "Another device answered this call.");
  }
  if (state == "missed")
    throw ApiError::conflict("call_missed", "The call was not answered in time.");
  if (state == "ringing") throw ApiError::conflict("call_not_accepted", "Answer the call first.");
  if (state == "accepted") {
    throw ApiError::conflict("door_release_in_progress", "The door is being opened.");
  }
  throw ApiError::conflict("call_" + state, "The call is " + state + ".");
}

nlohmann::json CallsService::accept(const auth::Principal& actor, const std::string& call_id,
                                    const std::string& device_id, const std::string& media) {
  auto accepted = pool_.run([&](pqxx::connection& connection) -> std::optional<nlohmann::json> {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_accept", call_id, actor.user_id, device_id, media,
                                 common::to_sql_timestamp(clock_.now()),
                                 static_cast<long long>(max_accepted_.count()));
    if (rows.empty()) return std::nullopt;
    after(tx, actor, rows[0], "accepted", {{"device_id", device_id}, {"media", media}});
    tx.commit();
    auto json = call_json(rows[0]);
    // Media flows between BMX and the phone; this is what the app joins with.
    json["session"] = {
        {"provider", json["origin"] == "bmx" ? "bmx" : "frontdoor"},
        {"bmx_call_id", rows[0][col::kBmxCallId].is_null()
                            ? nlohmann::json(nullptr)
                            : nlohmann::json(rows[0][col::kBmxCallId].as<std::int64_t>())},
        {"call_id", call_id}};
    return json;
  });
  if (!accepted) {
    get(actor, call_id);  // someone else's call: 404 before anything else
    const bool own_device = pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return !tx.exec_prepared("calls_device_of", device_id, actor.user_id).empty();
    });
    if (!own_device) {
      throw ApiError::validation({{"device_id", "unknown", "Not one of your devices."}});
    }
    refuse(call_id, actor.user_id, "accept");
  }
  return *accepted;
}

nlohmann::json CallsService::transition(const auth::Principal& actor, const std::string& call_id,
                                        const Move& move, const std::string& event,
                                        const std::string& wanted) {
  auto moved = pool_.run([&](pqxx::connection& connection) -> std::optional<nlohmann::json> {
    pqxx::work tx(connection);
    auto rows = move(tx);
    if (rows.empty()) return std::nullopt;
    after(tx, actor, rows[0], event, nlohmann::json::object());
    tx.commit();
    return call_json(rows[0]);
  });
  if (!moved) refuse(call_id, actor.user_id, wanted);
  return *moved;
}

nlohmann::json CallsService::deny(const auth::Principal& actor, const std::string& call_id) {
  // Leaving "ringing" also needs the ring time not to have run out.
  const auto move = [&](pqxx::work& tx) {
    return tx.exec_prepared("calls_deny", call_id, actor.user_id,
                            common::to_sql_timestamp(clock_.now()));
  };
  return transition(actor, call_id, move, "denied", "deny");
}

nlohmann::json CallsService::hangup(const auth::Principal& actor, const std::string& call_id) {
  const auto move = [&](pqxx::work& tx) {
    return tx.exec_prepared("calls_hangup", call_id, actor.user_id);
  };
  return transition(actor, call_id, move, "ended", "hangup");
}

nlohmann::json CallsService::media(const auth::Principal& actor, const std::string& call_id,
                                   std::optional<bool> audio, std::optional<bool> video) {
  auto changed = pool_.run([&](pqxx::connection& connection) -> std::optional<nlohmann::json> {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_media", call_id, actor.user_id, audio, video,
                                 common::to_sql_timestamp(clock_.now()));
    if (rows.empty()) return std::nullopt;
    nlohmann::json details = nlohmann::json::object();
    if (audio) details["audio"] = *audio;
    if (video) details["video"] = *video;
    tx.exec_prepared("calls_event", call_id, "media", actor.actor(), details.dump());
    tx.commit();
    return call_json(rows[0]);
  });
  if (!changed) refuse(call_id, actor.user_id, "media");
  return *changed;
}

nlohmann::json CallsService::cancel(const auth::Principal& panel, const std::string& call_id) {
  auto canceled = pool_.run([&](pqxx::connection& connection) -> std::optional<nlohmann::json> {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_cancel", call_id, panel.panel_id);
    if (rows.empty()) return std::nullopt;
    after(tx, panel, rows[0], "canceled", nlohmann::json::object());
    tx.commit();
    return panel_json(rows[0]);
  });
  if (!canceled) {
    const auto current = panel_view(panel, call_id);  // 404 for another panel's call
    throw ApiError::conflict("call_" + current["state"].get<std::string>(),
                             "The call is " + current["state"].get<std::string>() + ".");
  }
  return *canceled;
}

// ---------------------------------------------------------------------------
// Opening the door

std::optional<std::int64_t> CallsService::access_point_for(bmx::BmxAccess& access,
                                                           const std::string& panel_id,
                                                           std::optional<std::int64_t> device_id) {
  if (!panel_id.empty()) {
    auto known = pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return tx.exec_prepared("calls_panel_door", panel_id);
    });
    if (!known.empty() && !known[0][0].is_null()) return known[0][0].as<std::int64_t>();
  }
  if (!device_id) return std::nullopt;
  // Release by access point, not by device (a device may open several doors).
  for (const auto& point : bmx_.client().list_access_points(*access.token, access.building_id)) {
    for (auto id : point.device_ids) {
      if (id != *device_id) continue;
      if (!panel_id.empty()) {
        pool_.run([&](pqxx::connection& connection) {
          pqxx::nontransaction tx(connection);
          tx.exec_prepared("calls_panel_door_learnt", panel_id, point.id);
        });
      }
      return point.id;
    }
  }
  return std::nullopt;
}

nlohmann::json CallsService::open_door(const auth::Principal& actor, const std::string& call_id) {
  // Claim the release first: a second tap while BMX works gets 409, not a second release.
  auto claimed = pool_.run([&](pqxx::connection& connection) -> std::optional<pqxx::row> {
    pqxx::nontransaction tx(connection);
    auto rows = tx.exec_prepared("calls_door_claim", call_id, actor.user_id,
                                 common::to_sql_timestamp(clock_.now()));
    if (rows.empty()) return std::nullopt;
    return rows[0];
  });
  if (!claimed) refuse(call_id, actor.user_id, "open_door");
  const auto& call = *claimed;
  const auto property_id = call[col::kPropertyId].as<std::string>();
  const auto release_claim = [&] {
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      tx.exec_prepared("calls_door_released_claim", call_id);
    });
  };
  auto fail = [&](const std::string& why, const std::string& kind) -> ApiError {
    release_claim();
    pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      tx.exec_prepared("calls_event", call_id, "door_release_failed", actor.actor(),
                       nlohmann::json{{"reason", kind}}.dump());
      tx.commit();
    });
    return ApiError(502, "door_release_failed", "The door did not open", why);
  };

  // The resident's own BMX sign-in when linked, else the building admin's on the
  // site's placeholder tenant.
  auto access = bmx_.resident_access(actor.user_id, property_id);
  if (!access) access = bmx_.site_access(property_id);
  if (!access) throw fail("This property is not connected to ButterflyMX.", "not_set_up");
  std::optional<std::int64_t> device;
  if (!call[col::kBmxDeviceId].is_null()) device = call[col::kBmxDeviceId].as<std::int64_t>();
  std::int64_t release_id = 0;
  try {
    const auto access_point = access_point_for(
        *access, call[col::kPanelId].is_null() ? "" : call[col::kPanelId].as<std::string>(),
        device);
    if (!access_point) {
      throw fail("This panel is not linked to a ButterflyMX door.", "no_access_point");
    }
    release_id = bmx_.client().release_door(*access->token, access->tenant_id, *access_point).id;
  } catch (const bmx::BmxError& error) {
    // Never repeated by us: the resident sees the failure and may tap again.
    throw fail(error.kind() == bmx::ErrorKind::timeout
                   ? "ButterflyMX did not confirm in time; the door may not have opened. Try "
                     "again."
                   : "ButterflyMX did not open the door. Try again.",
               bmx::to_string(error.kind()));
  }
  auto opened = pool_.run([&](pqxx::connection& connection) -> std::optional<nlohmann::json> {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("calls_door_opened", call_id);
    if (rows.empty()) return std::nullopt;
    after(tx, actor, rows[0], "door_opened", {{"bmx_door_release_id", release_id}});
    tx.commit();
    return call_json(rows[0]);
  });
  return opened ? *opened : get(actor, call_id);
}

}  // namespace frontdoor::calls
