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
      ring(tx, call, store::recipients(tx, call.id));
      break;
    case rules::Push::stop_ringing:
      // Every device stops ringing; the one that answered knows it did.
      tell_devices(tx, call, store::recipients(tx, call.id), "call-stop:", "call_ended",
                   rules::panel_message(call.state, "The resident"));
      break;
    case rules::Push::door_opened:
      // The door's result reaches the phones at once, even if the answer to the
      // tap was lost on the way: the app closes its call screen.
      tell_devices(tx, call, store::recipients(tx, call.id), "call-door:", "door_opened",
                   "Door opened");
      break;
    case rules::Push::forward:
      // The front desk rings now; the residents' phones stop, their window is over.
      ring(tx, call, store::recipients(tx, call.id, "front_desk"));
      tell_devices(tx, call, store::recipients(tx, call.id, "resident"),
                   "call-stop:", "call_forwarded",
                   "Nobody answered, so the front desk is taking this call.");
      break;
    case rules::Push::none:
      break;
  }
}

void CallEvents::note(pqxx::work& tx, const auth::Principal& actor, const std::string& call_id,
                      const std::string& event, const nlohmann::json& details) const {
  store::record_event(tx, call_id, event, actor.actor(), details.dump());
}

void CallEvents::ring(pqxx::work& tx, const Call& call,
                      const std::vector<std::string>& user_ids) const {
  // What CallKit and ConnectionService need to show the call.
  const auto caller = rules::caller_label(call.panel_name);
  const nlohmann::json data = {{"type", "incoming_call"},
                               {"call_id", call.id},
                               {"caller_label", caller},
                               {"panel_name", http::text_or_null(call.panel_name)},
                               {"callee_label", call.callee_label},
                               {"forwarded_to", http::value_or_null(call.forwarded_to)},
                               {"video_offered", call.video_offered},
                               {"property_id", call.property_id}};
  const auto body = call.forwarded_to ? "Front desk: " + call.callee_label + " did not answer"
                                      : "Tap to answer " + call.callee_label + "'s door";
  // One message per person, each to every device they have.
  for (const auto& user_id : user_ids) {
    outbox_.enqueue(tx, notify::push_message(
                            "call-ring:" + call.id + ":" + user_id, user_id, caller, body, data,
                            true, common::to_rfc3339(call.ring_deadline), call.property_id));
  }
}

void CallEvents::hang_up_devices(pqxx::work& tx, const Call& call) const {
  // Its own key: the ringing stopped long ago.
  tell_devices(tx, call, store::recipients(tx, call.id), "call-end:", "call_ended",
               "The call has ended.");
}

void CallEvents::tell_devices(pqxx::work& tx, const Call& call,
                              const std::vector<std::string>& user_ids,
                              const std::string& key_prefix, const std::string& type,
                              const std::string& text) const {
  // Urgent, like the ring (a VoIP push is): a phone that keeps ringing, or a call
  // screen that stays open, is what people notice.
  const auto title = type == "door_opened" ? "Door opened" : "Call ended";
  const nlohmann::json data = {{"type", type},
                               {"call_id", call.id},
                               {"state", to_string(call.state)},
                               {"answered_device_id", http::text_or_null(call.accepted_device_id)}};
  const auto expires = common::to_rfc3339(clock_.now() + std::chrono::minutes(1));
  for (const auto& user_id : user_ids) {
    outbox_.enqueue(tx, notify::push_message(key_prefix + call.id + ":" += user_id, user_id, title,
                                             text, data, true, expires, call.property_id));
  }
}

void CallEvents::forwarded(pqxx::work& tx, const Call& call) const {
  const auth::Principal system;
  store::ring_front_desk(tx, call.id);
  record(tx, system, call, "forwarded", {{"to", "front_desk"}});
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
