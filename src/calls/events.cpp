#include "events.hpp"

#include "frontdoor/calls/rules.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "store.hpp"

namespace frontdoor::calls {

CallEvents::CallEvents(const notify::Outbox& outbox, const audit::AuditTrail& audit,
                       const common::Clock& clock)
    : outbox_(outbox), audit_(audit), clock_(clock) {}

void CallEvents::record(pqxx::work& tx, const auth::Principal& actor, const Call& call,
                        const std::string& event, const nlohmann::json& details) const {
  note(tx, actor, call.id, event, details);
  audit_.record(tx, actor, {call.property_id, "call." + event, "call", call.id, details});
  switch (rules::push_after(event, call.state)) {
    case rules::Push::ring:
      ring(tx, call);
      break;
    case rules::Push::stop_ringing:
      // Every device stops ringing; the one that answered knows it did.
      tell_devices(tx, call, "call-stop:", "call_ended",
                   rules::panel_message(call.state, "The resident"));
      break;
    case rules::Push::door_opened:
      // The door's result reaches the phones at once, even if the answer to the
      // tap was lost on the way: the app closes its call screen.
      tell_devices(tx, call, "call-door:", "door_opened", "Door opened");
      break;
    case rules::Push::none:
      break;
  }
}

void CallEvents::note(pqxx::work& tx, const auth::Principal& actor, const std::string& call_id,
                      const std::string& event, const nlohmann::json& details) const {
  store::record_event(tx, call_id, event, actor.actor(), details.dump());
}

void CallEvents::ring(pqxx::work& tx, const Call& call) const {
  // What CallKit and ConnectionService need to show the call.
  const auto caller = rules::caller_label(call.panel_name);
  outbox_.enqueue(tx, notify::push_message("call-ring:" + call.id, call.resident_user_id, caller,
                                           "Tap to answer " + call.callee_label + "'s door",
                                           {{"type", "incoming_call"},
                                            {"call_id", call.id},
                                            {"caller_label", caller},
                                            {"panel_name", http::text_or_null(call.panel_name)},
                                            {"video_offered", call.video_offered},
                                            {"property_id", call.property_id}},
                                           true, call.ring_deadline, call.property_id));
}

void CallEvents::hang_up_devices(pqxx::work& tx, const Call& call) const {
  // Its own key: the ringing stopped long ago.
  tell_devices(tx, call, "call-end:", "call_ended", "The call has ended.");
}

void CallEvents::tell_devices(pqxx::work& tx, const Call& call, const std::string& key_prefix,
                              const std::string& type, const std::string& text) const {
  // Urgent, like the ring (a VoIP push is): a phone that keeps ringing, or a call
  // screen that stays open, is what people notice.
  outbox_.enqueue(
      tx, notify::push_message(
              key_prefix + call.id, call.resident_user_id,
              type == "door_opened" ? "Door opened" : "Call ended", text,
              {{"type", type},
               {"call_id", call.id},
               {"state", to_string(call.state)},
               {"answered_device_id", http::text_or_null(call.accepted_device_id)}},
              true, common::to_rfc3339(clock_.now() + std::chrono::minutes(1)), call.property_id));
}

void CallEvents::ended_by_time(pqxx::work& tx, const Call& call) const {
  const auth::Principal system;
  if (call.state == CallState::missed) {
    record(tx, system, call, "missed");
  } else {
    record(tx, system, call, "timed_out");
    hang_up_devices(tx, call);
  }
}

}  // namespace frontdoor::calls
