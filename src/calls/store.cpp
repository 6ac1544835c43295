// SQL of the calls module. A transition is one conditional UPDATE: its WHERE
// names the state it leaves, so of two racing requests exactly one gets a row.
// Residents, panels, phones and BMX contact preferences are read through the
// views their owners publish (docs/tables.md).
#include "store.hpp"

#include <string>

#include "frontdoor/db/pool.hpp"

namespace frontdoor::calls::store {
namespace {

const std::string kColumns =
    "c.id, c.property_id, c.resident_user_id, c.state, c.callee_label, c.origin, c.routed_to, "
    "c.video_offered, c.panel_id, c.bmx_call_id, rfc3339(c.created_at), rfc3339(c.answered_at), "
    "rfc3339(c.ended_at), rfc3339(c.ring_deadline), c.media, c.audio_on, c.video_on, "
    "c.accepted_device_id, (SELECT name FROM panel_profiles WHERE id = c.panel_id), "
    "c.bmx_device_id, "
    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

// Who is called and how: BMX's contact preference decides app or phone.
const std::string kRouting =
    "CASE WHEN l.contact_preference = 'phone_call' THEN 'phone' ELSE 'app' END, "
    "coalesce(l.contact_preference, 'mobile_app') = 'mobile_app', "
    "CASE WHEN l.contact_preference = 'phone_call' THEN 'routed_to_phone' ELSE 'ringing' END, "
    "coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name), "
    "$3::timestamptz + make_interval(secs => p.ring_timeout_seconds)";

// The caller ($2) lives at the call's property now: checked in the same
// statement as every action, so a move-out ends door control at once, on every
// instance, whatever the caller's access token still says.
const std::string kCallerLivesHere =
    " AND EXISTS (SELECT 1 FROM current_residents r WHERE r.user_id = $2 "
    "AND r.property_id = c.property_id) ";

// A call that can no longer go on: ringing past its deadline (missed), or
// answered past its time limit (ended). A door release in progress is left to
// finish, unless it was claimed long ago by a process that died.
const std::string kDueToEnd =
    "((c.state = 'ringing' AND c.ring_deadline <= $NOW) OR (c.state = 'accepted' AND "
    "c.accepted_until <= $NOW AND (c.door_release_started_at IS NULL OR "
    "c.door_release_started_at < $NOW - interval '1 minute')))";

std::string due_to_end(const std::string& now) {
  std::string sql = kDueToEnd;
  for (auto at = sql.find("$NOW"); at != std::string::npos; at = sql.find("$NOW")) {
    sql.replace(at, 4, now);
  }
  return sql;
}

const std::string kEndState =
    "state = CASE WHEN c.state = 'ringing' THEN 'missed' ELSE 'ended' END, ended_at = now()";

const std::string kInsertColumns =
    "INSERT INTO calls AS c (property_id, residency_id, resident_user_id, panel_id, origin, "
    "bmx_call_id, bmx_device_id, routed_to, video_offered, state, callee_label, ring_deadline) ";

}  // namespace

void prepare(db::Pool& pool) {
  // $1 entry (residency), $2 panel, $3 now.
  pool.prepare(
      "calls_start_panel",
      kInsertColumns +
          "SELECT r.property_id, r.id, r.user_id, pa.id, 'panel', NULL, "
          "CASE WHEN pa.bmx_device_id ~ '^[0-9]{1,18}$' THEN pa.bmx_device_id::bigint END, " +
          kRouting +
          " FROM current_residents r JOIN property_rules p ON p.id = r.property_id "
          "JOIN panel_profiles pa ON pa.id = $2 AND pa.property_id = r.property_id "
          "LEFT JOIN bmx_contact_preferences l ON l.user_id = r.user_id "
          "AND l.property_id = r.property_id WHERE r.id = $1 AND r.directory_listed "
          "RETURNING " +
          kColumns);
  // $1 user, $2 property, $3 now, $4 BMX call id, $5 BMX device id.
  pool.prepare(
      "calls_start_bmx",
      kInsertColumns +
          "SELECT r.property_id, r.id, r.user_id, (SELECT id FROM panel_profiles WHERE "
          "property_id = r.property_id AND bmx_device_id = $5::bigint::text AND revoked_at IS NULL "
          "ORDER BY created_at LIMIT 1), 'bmx', $4::bigint, $5::bigint, " +
          kRouting +
          " FROM current_residents r JOIN property_rules p ON p.id = r.property_id "
          "LEFT JOIN bmx_contact_preferences l ON l.user_id = r.user_id "
          "AND l.property_id = r.property_id WHERE r.user_id = $1 AND r.property_id = $2 "
          "ON CONFLICT (property_id, bmx_call_id) DO NOTHING RETURNING " +
          kColumns);
  pool.prepare("calls_get", "SELECT " + kColumns + " FROM calls c WHERE c.id = $1");
  // $1 call, $2 now.
  pool.prepare("calls_expire_one", "UPDATE calls c SET " + kEndState + " WHERE c.id = $1 AND " +
                                       due_to_end("$2::timestamptz") + " RETURNING " + kColumns);
  // $1 now.
  pool.prepare(
      "calls_sweep",
      "UPDATE calls c SET " + kEndState + " WHERE c.id IN (SELECT c.id FROM calls c WHERE " +
          due_to_end("$1::timestamptz") +
          " ORDER BY c.created_at LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING " + kColumns);
  // Move-out: the resident's ringing calls are canceled and their answered ones
  // ended. $1 user, $2 property.
  pool.prepare("calls_end_for_resident",
               "UPDATE calls c SET state = CASE WHEN c.state = 'ringing' THEN 'canceled' "
               "ELSE 'ended' END, ended_at = now() WHERE c.resident_user_id = $1 "
               "AND c.property_id = $2 AND c.state IN ('ringing', 'accepted') RETURNING " +
                   kColumns);
  // $1 call, $2 user, $3 device, $4 media, $5 now, $6 longest answered call (seconds).
  pool.prepare("calls_accept",
               "UPDATE calls c SET state = 'accepted', accepted_device_id = $3, media = $4, "
               "audio_on = true, video_on = ($4 = 'video' AND c.video_offered), "
               "answered_at = now(), accepted_until = $5::timestamptz + make_interval(secs => $6) "
               "WHERE c.id = $1 AND c.resident_user_id = $2 "
               "AND c.state = 'ringing' AND c.ring_deadline > $5::timestamptz AND EXISTS (SELECT 1 "
               "FROM device_tokens d WHERE d.id = $3 AND d.user_id = $2)" +
                   kCallerLivesHere + "RETURNING " + kColumns);
  pool.prepare("calls_deny",
               "UPDATE calls c SET state = 'denied', ended_at = now() WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'ringing' "
               "AND c.ring_deadline > $3::timestamptz" +
                   kCallerLivesHere + "RETURNING " + kColumns);
  pool.prepare("calls_hangup",
               "UPDATE calls c SET state = 'ended', ended_at = now() WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'accepted' "
               "AND c.door_release_started_at IS NULL" +
                   kCallerLivesHere + "RETURNING " + kColumns);
  // A panel cancels only its own calls.
  pool.prepare("calls_cancel",
               "UPDATE calls c SET state = 'canceled', ended_at = now() WHERE c.id = $1 "
               "AND c.panel_id = $2 AND c.state = 'ringing' RETURNING " +
                   kColumns);
  // Video can only be turned on when the call offered it. $5 now.
  pool.prepare("calls_media",
               "UPDATE calls c SET audio_on = coalesce($3, c.audio_on), "
               "video_on = c.video_offered AND coalesce($4, c.video_on) WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'accepted' "
               "AND c.accepted_until > $5::timestamptz" +
                   kCallerLivesHere + "RETURNING " + kColumns);
  // $3 now.
  pool.prepare("calls_door_claim",
               "UPDATE calls c SET door_release_started_at = now() WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'accepted' "
               "AND c.accepted_until > $3::timestamptz AND c.door_release_started_at IS NULL" +
                   kCallerLivesHere + "RETURNING " + kColumns);
  pool.prepare("calls_still_ringing",
               "SELECT 1 FROM calls WHERE id = $1 AND state = 'ringing' "
               "AND ring_deadline > $2::timestamptz");
  pool.prepare("calls_caller_lives_here",
               "SELECT 1 FROM calls c WHERE c.id = $1" + kCallerLivesHere);
  pool.prepare("calls_door_opened",
               "UPDATE calls c SET state = 'door_opened', ended_at = now(), "
               "door_release_started_at = NULL WHERE c.id = $1 AND c.state = 'accepted' "
               "RETURNING " +
                   kColumns);
  pool.prepare("calls_door_released_claim",
               "UPDATE calls SET door_release_started_at = NULL WHERE id = $1");
  pool.prepare("calls_device_of", "SELECT 1 FROM device_tokens WHERE id = $1 AND user_id = $2");
  pool.prepare("calls_event",
               "INSERT INTO call_events (call_id, event, actor, details) "
               "VALUES ($1, $2, $3, $4::jsonb)");
  pool.prepare("calls_panel_door", "SELECT bmx_access_point_id FROM panel_profiles WHERE id = $1");
  pool.prepare("calls_panel_door_learnt", "SELECT panel_learn_door($1, $2)");
  pool.prepare(
      // Newest first; the first page without the cursor condition, like the visitor lists.
      "calls_list_mine_first", "SELECT " + kColumns +
                                   " FROM calls c WHERE c.resident_user_id = $1 "
                                   "ORDER BY c.created_at DESC, c.id DESC LIMIT $2");
  pool.prepare("calls_list_mine_after",
               "SELECT " + kColumns +
                   " FROM calls c WHERE c.resident_user_id = $1 "
                   "AND (c.created_at, c.id) < ($2::timestamptz, $3::uuid) "
                   "ORDER BY c.created_at DESC, c.id DESC LIMIT $4");
}

}  // namespace frontdoor::calls::store
