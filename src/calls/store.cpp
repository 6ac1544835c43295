// SQL of the calls module. A transition is one conditional UPDATE: its WHERE
// names the state it leaves, so of two racing requests exactly one gets a row.
#include "store.hpp"

#include <string>

#include "frontdoor/db/pool.hpp"

namespace frontdoor::calls::store {
namespace {

const std::string kColumns =
    "c.id, c.property_id, c.resident_user_id, c.state, c.callee_label, c.origin, c.routed_to, "
    "c.video_offered, c.panel_id, c.bmx_call_id, rfc3339(c.created_at), rfc3339(c.answered_at), "
    "rfc3339(c.ended_at), rfc3339(c.ring_deadline), c.media, c.audio_on, c.video_on, "
    "c.accepted_device_id, (SELECT name FROM panels WHERE id = c.panel_id), c.bmx_device_id, "
    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

// Who is called and how: BMX's contact preference decides app or phone.
const std::string kRouting =
    "CASE WHEN l.contact_preference = 'phone_call' THEN 'phone' ELSE 'app' END, "
    "coalesce(l.contact_preference, 'mobile_app') = 'mobile_app', "
    "CASE WHEN l.contact_preference = 'phone_call' THEN 'routed_to_phone' ELSE 'ringing' END, "
    "coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name), "
    "$3::timestamptz + make_interval(secs => p.ring_timeout_seconds)";

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
          " FROM residencies r JOIN properties p ON p.id = r.property_id "
          "JOIN panels pa ON pa.id = $2 AND pa.property_id = r.property_id "
          "LEFT JOIN bmx_links l ON l.user_id = r.user_id AND l.property_id = r.property_id "
          "WHERE r.id = $1 AND r.moved_out_at IS NULL AND r.directory_listed "
          "RETURNING " +
          kColumns);
  // $1 user, $2 property, $3 now, $4 BMX call id, $5 BMX device id.
  pool.prepare(
      "calls_start_bmx",
      kInsertColumns +
          "SELECT r.property_id, r.id, r.user_id, (SELECT id FROM panels WHERE "
          "property_id = r.property_id AND bmx_device_id = $5::bigint::text AND revoked_at IS NULL "
          "ORDER BY created_at LIMIT 1), 'bmx', $4::bigint, $5::bigint, " +
          kRouting +
          " FROM residencies r JOIN properties p ON p.id = r.property_id "
          "LEFT JOIN bmx_links l ON l.user_id = r.user_id AND l.property_id = r.property_id "
          "WHERE r.user_id = $1 AND r.property_id = $2 AND r.moved_out_at IS NULL "
          "ON CONFLICT (property_id, bmx_call_id) DO NOTHING RETURNING " +
          kColumns);
  pool.prepare("calls_get", "SELECT " + kColumns + " FROM calls c WHERE c.id = $1");
  pool.prepare("calls_expire_one",
               "UPDATE calls c SET state = 'missed', ended_at = now() WHERE c.id = $1 "
               "AND c.state = 'ringing' AND c.ring_deadline <= $2::timestamptz RETURNING " +
                   kColumns);
  pool.prepare("calls_sweep",
               "UPDATE calls c SET state = 'missed', ended_at = now() WHERE c.id IN "
               "(SELECT id FROM calls WHERE state = 'ringing' AND ring_deadline <= $1::timestamptz "
               "ORDER BY ring_deadline LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING " +
                   kColumns);
  // $1 call, $2 user, $3 device, $4 media, $5 now.
  pool.prepare("calls_accept",
               "UPDATE calls c SET state = 'accepted', accepted_device_id = $3, media = $4, "
               "audio_on = true, video_on = ($4 = 'video' AND c.video_offered), "
               "answered_at = now() WHERE c.id = $1 AND c.resident_user_id = $2 "
               "AND c.state = 'ringing' AND c.ring_deadline > $5::timestamptz AND EXISTS (SELECT 1 "
               "FROM devices d WHERE d.id = $3 AND d.user_id = $2) RETURNING " +
                   kColumns);
  pool.prepare("calls_deny",
               "UPDATE calls c SET state = 'denied', ended_at = now() WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'ringing' "
               "AND c.ring_deadline > $3::timestamptz RETURNING " +
                   kColumns);
  pool.prepare("calls_hangup",
               "UPDATE calls c SET state = 'ended', ended_at = now() WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'accepted' "
               "AND c.door_release_started_at IS NULL RETURNING " +
                   kColumns);
  // A panel cancels only its own calls.
  pool.prepare("calls_cancel",
               "UPDATE calls c SET state = 'canceled', ended_at = now() WHERE c.id = $1 "
               "AND c.panel_id = $2 AND c.state = 'ringing' RETURNING " +
                   kColumns);
  // Video can only be turned on when the call offered it.
  pool.prepare("calls_media",
               "UPDATE calls c SET audio_on = coalesce($3, c.audio_on), "
               "video_on = c.video_offered AND coalesce($4, c.video_on) WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'accepted' RETURNING " +
                   kColumns);
  pool.prepare("calls_door_claim",
               "UPDATE calls c SET door_release_started_at = now() WHERE c.id = $1 "
               "AND c.resident_user_id = $2 AND c.state = 'accepted' "
               "AND c.door_release_started_at IS NULL RETURNING " +
                   kColumns);
  pool.prepare("calls_door_opened",
               "UPDATE calls c SET state = 'door_opened', ended_at = now(), "
               "door_release_started_at = NULL WHERE c.id = $1 AND c.state = 'accepted' "
               "RETURNING " +
                   kColumns);
  pool.prepare("calls_door_released_claim",
               "UPDATE calls SET door_release_started_at = NULL WHERE id = $1");
  pool.prepare("calls_device_of", "SELECT 1 FROM devices WHERE id = $1 AND user_id = $2");
  pool.prepare("calls_event",
               "INSERT INTO call_events (call_id, event, actor, details) "
               "VALUES ($1, $2, $3, $4::jsonb)");
  pool.prepare("calls_panel_door", "SELECT bmx_access_point_id FROM panels WHERE id = $1");
  pool.prepare("calls_panel_door_learnt",
               "UPDATE panels SET bmx_access_point_id = $2 WHERE id = $1");
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
