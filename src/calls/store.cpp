// SQL of the calls module. A transition is one conditional UPDATE: its WHERE
// names the state it leaves, so of two racing requests exactly one gets a row.
// Residents, panels, phones and BMX contact preferences are read through the
// views their owners publish (docs/tables.md).
#include "store.hpp"

#include <pqxx/pqxx>
#include <string>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::calls::store {
namespace {

const std::string kColumns =
    "c.id, c.property_id, c.resident_user_id, c.state, c.callee_label, c.origin, c.routed_to, "
    "c.video_offered, c.panel_id, c.bmx_call_id, rfc3339(c.created_at), rfc3339(c.answered_at), "
    "rfc3339(c.ended_at), rfc3339(c.ring_deadline), c.media, c.audio_on, c.video_on, "
    "c.accepted_device_id, (SELECT name FROM panel_profiles WHERE id = c.panel_id), "
    "c.bmx_device_id, "
    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "(SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id), "
    "c.unit_id, c.forwarded_to, c.answered_by";

// Positions of kColumns.
enum Column {
  kId,
  kPropertyId,
  kResidentUserId,
  kState,
  kCalleeLabel,
  kOrigin,
  kRoutedTo,
  kVideoOffered,
  kPanelId,
  kBmxCallId,
  kCreatedAt,
  kAnsweredAt,
  kEndedAt,
  kRingDeadline,
  kMedia,
  kAudioOn,
  kVideoOn,
  kAcceptedDeviceId,
  kPanelName,
  kBmxDeviceId,
  kCursor,
  kAccessPointId,
  kUnitId,
  kForwardedTo,
  kAnsweredBy,
};

Call call_from(const pqxx::row& row) {
  Call call;
  call.id = row[kId].as<std::string>();
  call.property_id = row[kPropertyId].as<std::string>();
  call.resident_user_id =
      row[kResidentUserId].is_null() ? "" : row[kResidentUserId].as<std::string>();
  call.unit_id = db::optional_of<std::string>(row[kUnitId]);
  call.forwarded_to = db::optional_of<std::string>(row[kForwardedTo]);
  call.answered_by = db::optional_of<std::string>(row[kAnsweredBy]);
  // The column's check constraint admits only the states this build knows.
  call.state = call_state_from_string(row[kState].as<std::string>()).value_or(CallState::ended);
  call.callee_label = row[kCalleeLabel].as<std::string>();
  call.origin = row[kOrigin].as<std::string>();
  call.routed_to = row[kRoutedTo].as<std::string>();
  call.video_offered = row[kVideoOffered].as<bool>();
  call.panel_id = db::optional_of<std::string>(row[kPanelId]);
  call.panel_name = db::optional_of<std::string>(row[kPanelName]);
  call.bmx_call_id = db::optional_of<std::int64_t>(row[kBmxCallId]);
  call.bmx_device_id = db::optional_of<std::int64_t>(row[kBmxDeviceId]);
  call.bmx_access_point_id = db::optional_of<std::int64_t>(row[kAccessPointId]);
  call.created_at = row[kCreatedAt].as<std::string>();
  call.ring_deadline = row[kRingDeadline].as<std::string>();
  call.answered_at = db::optional_of<std::string>(row[kAnsweredAt]);
  call.ended_at = db::optional_of<std::string>(row[kEndedAt]);
  call.media = db::optional_of<std::string>(row[kMedia]);
  call.audio_on = db::optional_of<bool>(row[kAudioOn]);
  call.video_on = db::optional_of<bool>(row[kVideoOn]);
  call.accepted_device_id = db::optional_of<std::string>(row[kAcceptedDeviceId]);
  call.cursor = row[kCursor].as<std::string>();
  return call;
}

std::optional<Call> first_call(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return call_from(rows[0]);
}

std::vector<Call> calls_from(const pqxx::result& rows) {
  std::vector<Call> calls;
  calls.reserve(rows.size());
  for (const auto& row : rows) calls.push_back(call_from(row));
  return calls;
}

std::string at(common::TimePoint now) { return common::to_sql_timestamp(now); }

// Who is called and how: BMX's contact preference decides app or phone.
const std::string kRouting =
    "CASE WHEN l.contact_preference = 'phone_call' THEN 'phone' ELSE 'app' END, "
    "coalesce(l.contact_preference, 'mobile_app') = 'mobile_app', "
    "CASE WHEN l.contact_preference = 'phone_call' THEN 'routed_to_phone' ELSE 'ringing' END, "
    "coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name), "
    "$3::timestamptz + make_interval(secs => p.ring_timeout_seconds)";

// The caller ($2) is still where the call found them: living at the call's
// property now, or, for a call forwarded to the front desk, working there now.
// Checked in the same statement as every action, so a move-out (or a staff
// member's removal) ends door control at once, on every instance, whatever the
// caller's access token still says.
const std::string kStillThere =
    "(EXISTS (SELECT 1 FROM current_residents r WHERE r.user_id = $2 "
    "AND r.property_id = c.property_id) OR (c.forwarded_to = 'front_desk' AND EXISTS "
    "(SELECT 1 FROM property_staff s WHERE s.user_id = $2 AND s.property_id = c.property_id)))";

// The caller ($2) is in the group the call rings now: the residents until it is
// forwarded, the front desk after.
const std::string kRingsCaller =
    " AND EXISTS (SELECT 1 FROM call_recipients cr WHERE cr.call_id = c.id AND cr.user_id = $2 "
    "AND cr.role = CASE WHEN c.forwarded_to = 'front_desk' THEN 'front_desk' "
    "ELSE 'resident' END) AND " +
    kStillThere + " ";

// The caller ($2) answered the call and is still there.
const std::string kAnsweredByCaller = " AND c.answered_by = $2 AND " + kStillThere + " ";

// A ringing call whose ring time ran out goes on to the front desk when the
// property wants it, it rang the app (BMX rings phones itself), it was not
// forwarded before, and someone at the desk has a phone to ring.
const std::string kForwardable =
    "(c.forwarded_to IS NULL AND c.routed_to = 'app' AND EXISTS (SELECT 1 FROM property_rules p "
    "WHERE p.id = c.property_id AND p.front_desk_fallback) AND EXISTS (SELECT 1 "
    "FROM property_staff s JOIN device_tokens d ON d.user_id = s.user_id "
    "WHERE s.property_id = c.property_id))";

// A call that can no longer go on: ringing past its deadline (missed), or
// answered past its time limit (ended). A door release in progress is left to
// finish, unless it was claimed long ago by a process that died.
const std::string kDueToEnd = "((c.state = 'ringing' AND c.ring_deadline <= $NOW AND NOT " +
                              kForwardable +
                              ") OR (c.state = 'accepted' AND "
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

// The panel's device id, when it is a BMX one.
const std::string kPanelDevice =
    "CASE WHEN pa.bmx_device_id ~ '^[0-9]{1,18}$' THEN pa.bmx_device_id::bigint END";

const std::string kForward =
    "UPDATE calls c SET forwarded_to = 'front_desk', ring_deadline = $1::timestamptz + "
    "make_interval(secs => (SELECT ring_timeout_seconds FROM property_rules WHERE id = "
    "c.property_id)) WHERE c.state = 'ringing' AND c.ring_deadline <= $1::timestamptz AND " +
    kForwardable;

}  // namespace

void prepare(db::Pool& pool) {
  // $1 entry (residency), $2 panel, $3 now.
  pool.prepare("calls_start_panel",
               kInsertColumns + "SELECT r.property_id, r.id, r.user_id, pa.id, 'panel', NULL, " +
                   kPanelDevice + ", " + kRouting +
                   " FROM current_residents r JOIN property_rules p ON p.id = r.property_id "
                   "AND p.directory_mode = 'residents' "
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
  // A unit's call rings the app of every listed resident (BMX's phone routing is
  // per resident); nothing when nobody there can take it. $1 unit, $2 panel, $3 now.
  pool.prepare(
      "calls_start_unit",
      "INSERT INTO calls AS c (property_id, unit_id, panel_id, origin, bmx_device_id, routed_to, "
      "video_offered, state, callee_label, ring_deadline) "
      "SELECT un.property_id, un.id, pa.id, 'panel', " +
          kPanelDevice +
          ", 'app', true, 'ringing', un.label, "
          "$3::timestamptz + make_interval(secs => p.ring_timeout_seconds) "
          "FROM unit_labels un JOIN property_rules p ON p.id = un.property_id "
          "AND p.directory_mode = 'units' "
          "JOIN panel_profiles pa ON pa.id = $2 AND pa.property_id = un.property_id "
          "WHERE un.id = $1 AND EXISTS (SELECT 1 FROM current_residents r "
          "WHERE r.unit_id = un.id AND r.directory_listed) RETURNING " +
          kColumns);
  // The label of a unit this panel lists. $1 unit, $2 panel.
  pool.prepare("calls_unit_listed",
               "SELECT un.label FROM unit_labels un JOIN property_rules p ON p.id = un.property_id "
               "AND p.directory_mode = 'units' JOIN panel_profiles pa ON pa.id = $2 "
               "AND pa.property_id = un.property_id WHERE un.id = $1");
  // The people a new call rings: its resident, or the unit's listed residents.
  pool.prepare("calls_ring_residents",
               "INSERT INTO call_recipients (call_id, user_id, role) "
               "SELECT DISTINCT c.id, r.user_id, 'resident' FROM calls c "
               "JOIN current_residents r ON r.property_id = c.property_id AND "
               "(r.id = c.residency_id OR (r.unit_id = c.unit_id AND r.directory_listed)) "
               "WHERE c.id = $1 RETURNING user_id");
  // The front desk joins the group: staff and managers with a phone to ring.
  pool.prepare("calls_ring_front_desk",
               "INSERT INTO call_recipients AS cr (call_id, user_id, role) "
               "SELECT DISTINCT c.id, s.user_id, 'front_desk' FROM calls c "
               "JOIN property_staff s ON s.property_id = c.property_id "
               "WHERE c.id = $1 AND EXISTS (SELECT 1 FROM device_tokens d "
               "WHERE d.user_id = s.user_id) "
               "ON CONFLICT (call_id, user_id) DO UPDATE SET role = 'front_desk' "
               "RETURNING cr.user_id");
  // Everyone a call rang, by role ($2 NULL: all).
  pool.prepare("calls_recipients",
               "SELECT user_id FROM call_recipients WHERE call_id = $1 "
               "AND ($2::text IS NULL OR role = $2) ORDER BY user_id");
  // $1 now; up to 100 due, skipping those another instance holds.
  pool.prepare("calls_forward_due",
               kForward +
                   " AND c.id IN (SELECT id FROM calls WHERE state = 'ringing' "
                   "AND forwarded_to IS NULL AND ring_deadline <= $1::timestamptz "
                   "ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING " +
                   kColumns);
  // $1 now, $2 call.
  pool.prepare("calls_forward_one", kForward + " AND c.id = $2 RETURNING " + kColumns);
  // What the caller ($2) is to the call ($1): their role in its group, and whether
  // they are still where it found them.
  pool.prepare("calls_standing", "SELECT cr.role, " + kStillThere +
                                     " FROM calls c JOIN call_recipients cr ON cr.call_id = c.id "
                                     "AND cr.user_id = $2 WHERE c.id = $1");
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
               "ELSE 'ended' END, ended_at = now() WHERE c.property_id = $2 AND "
               "((c.state = 'ringing' AND c.resident_user_id = $1) OR "
               "(c.state = 'accepted' AND c.answered_by = $1)) RETURNING " +
                   kColumns);
  // $1 call, $2 user, $3 device, $4 media, $5 now, $6 longest answered call (seconds).
  pool.prepare("calls_accept",
               "UPDATE calls c SET state = 'accepted', accepted_device_id = $3, media = $4, "
               "answered_by = $2, "
               "audio_on = true, video_on = ($4 = 'video' AND c.video_offered), "
               "answered_at = now(), accepted_until = $5::timestamptz + make_interval(secs => $6) "
               "WHERE c.id = $1 AND c.state = 'ringing' AND c.ring_deadline > $5::timestamptz "
               "AND EXISTS (SELECT 1 FROM device_tokens d WHERE d.id = $3 AND d.user_id = $2)" +
                   kRingsCaller + "RETURNING " + kColumns);
  pool.prepare("calls_deny",
               "UPDATE calls c SET state = 'denied', ended_at = now() WHERE c.id = $1 "
               "AND c.state = 'ringing' AND c.ring_deadline > $3::timestamptz" +
                   kRingsCaller + "RETURNING " + kColumns);
  pool.prepare("calls_hangup",
               "UPDATE calls c SET state = 'ended', ended_at = now() WHERE c.id = $1 "
               "AND c.state = 'accepted' AND c.door_release_started_at IS NULL" +
                   kAnsweredByCaller + "RETURNING " + kColumns);
  // A panel cancels only its own calls.
  pool.prepare("calls_cancel",
               "UPDATE calls c SET state = 'canceled', ended_at = now() WHERE c.id = $1 "
               "AND c.panel_id = $2 AND c.state = 'ringing' RETURNING " +
                   kColumns);
  // Video can only be turned on when the call offered it. $5 now.
  pool.prepare("calls_media",
               "UPDATE calls c SET audio_on = coalesce($3, c.audio_on), "
               "video_on = c.video_offered AND coalesce($4, c.video_on) WHERE c.id = $1 "
               "AND c.state = 'accepted' AND c.accepted_until > $5::timestamptz" +
                   kAnsweredByCaller + "RETURNING " + kColumns);
  // $3 now.
  pool.prepare("calls_door_claim",
               "UPDATE calls c SET door_release_started_at = now() WHERE c.id = $1 "
               "AND c.state = 'accepted' AND c.accepted_until > $3::timestamptz "
               "AND c.door_release_started_at IS NULL" +
                   kAnsweredByCaller + "RETURNING " + kColumns);
  pool.prepare("calls_still_ringing",
               "SELECT 1 FROM calls WHERE id = $1 AND state = 'ringing' "
               "AND ring_deadline > $2::timestamptz");
  pool.prepare("calls_door_opened",
               "UPDATE calls c SET state = 'door_opened', ended_at = now(), "
               "door_release_started_at = NULL WHERE c.id = $1 AND c.state = 'accepted' "
               "RETURNING " +
                   kColumns);
  // Door releases claimed longer ago than their deadline ($1 ms) and not checked
  // since: their instance died while BMX worked. Each is checked once.
  pool.prepare("calls_stale_door_claims",
               "UPDATE calls c SET door_release_checked_at = now() WHERE c.id IN (SELECT id "
               "FROM calls WHERE state = 'accepted' AND door_release_started_at < now() - "
               "$1 * interval '1 millisecond' AND (door_release_checked_at IS NULL OR "
               "door_release_checked_at < door_release_started_at) ORDER BY "
               "door_release_started_at LIMIT 20 FOR UPDATE SKIP LOCKED) RETURNING c.id, "
               "to_char(c.door_release_started_at AT TIME ZONE 'UTC', "
               "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS claimed_at");
  // The claim a check is about, if it still stands.
  pool.prepare("calls_door_claim_at",
               "SELECT 1 FROM calls WHERE id = $1 AND state = 'accepted' AND "
               "to_char(door_release_started_at AT TIME ZONE 'UTC', "
               "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') = $2");
  pool.prepare("calls_door_released_claim",
               "UPDATE calls SET door_release_started_at = NULL WHERE id = $1");
  pool.prepare("calls_device_of", "SELECT 1 FROM device_tokens WHERE id = $1 AND user_id = $2");
  pool.prepare("calls_event",
               "INSERT INTO call_events (call_id, event, actor, details) "
               "VALUES ($1, $2, $3, $4::jsonb)");
  pool.prepare("calls_panel_door_learnt", "SELECT panel_learn_door($1, $2)");
  pool.prepare(
      // Newest first; the first page without the cursor condition, like the visitor lists.
      "calls_list_mine_first",
      "SELECT " + kColumns +
          " FROM call_recipients cr JOIN calls c ON c.id = cr.call_id WHERE cr.user_id = $1 "
          "ORDER BY c.created_at DESC, c.id DESC LIMIT $2");
  pool.prepare("calls_list_mine_after",
               "SELECT " + kColumns +
                   " FROM call_recipients cr JOIN calls c ON c.id = cr.call_id "
                   "WHERE cr.user_id = $1 AND (c.created_at, c.id) < ($2::timestamptz, $3::uuid) "
                   "ORDER BY c.created_at DESC, c.id DESC LIMIT $4");
}

std::optional<Call> start_from_panel(pqxx::transaction_base& tx, const std::string& entry_id,
                                     const std::string& panel_id, common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_start_panel", entry_id, panel_id, at(now)));
}

std::optional<Call> start_from_bmx(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id, common::TimePoint now,
                                   std::int64_t bmx_call_id, std::int64_t bmx_device_id) {
  return first_call(tx.exec_prepared("calls_start_bmx", user_id, property_id, at(now), bmx_call_id,
                                     bmx_device_id));
}

std::optional<Call> find(pqxx::transaction_base& tx, const std::string& call_id) {
  return first_call(tx.exec_prepared("calls_get", call_id));
}

std::optional<Call> end_if_due(pqxx::transaction_base& tx, const std::string& call_id,
                               common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_expire_one", call_id, at(now)));
}

std::vector<StaleDoorClaim> stale_door_claims(pqxx::transaction_base& tx,
                                              std::chrono::milliseconds deadline) {
  std::vector<StaleDoorClaim> stale;
  for (const auto& row :
       tx.exec_prepared("calls_stale_door_claims", static_cast<long long>(deadline.count()))) {
    stale.push_back({row["id"].as<std::string>(), row["claimed_at"].as<std::string>()});
  }
  return stale;
}

bool door_claim_stands(pqxx::transaction_base& tx, const StaleDoorClaim& claim) {
  return !tx.exec_prepared("calls_door_claim_at", claim.call_id, claim.claimed_at).empty();
}

std::vector<Call> end_due(pqxx::transaction_base& tx, common::TimePoint now) {
  return calls_from(tx.exec_prepared("calls_sweep", at(now)));
}

std::vector<Call> end_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id) {
  return calls_from(tx.exec_prepared("calls_end_for_resident", user_id, property_id));
}

bool still_ringing(pqxx::transaction_base& tx, const std::string& call_id, common::TimePoint now) {
  return !tx.exec_prepared("calls_still_ringing", call_id, at(now)).empty();
}

std::optional<Standing> standing(pqxx::transaction_base& tx, const std::string& call_id,
                                 const std::string& user_id) {
  const auto rows = tx.exec_prepared("calls_standing", call_id, user_id);
  if (rows.empty()) return std::nullopt;
  return Standing{rows[0][0].as<std::string>() == "front_desk", rows[0][1].as<bool>()};
}

std::optional<Call> start_for_unit(pqxx::transaction_base& tx, const std::string& unit_id,
                                   const std::string& panel_id, common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_start_unit", unit_id, panel_id, at(now)));
}

std::optional<std::string> listed_unit(pqxx::transaction_base& tx, const std::string& unit_id,
                                       const std::string& panel_id) {
  const auto rows = tx.exec_prepared("calls_unit_listed", unit_id, panel_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

namespace {
std::vector<std::string> user_ids(const pqxx::result& rows) {
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row[0].as<std::string>());
  return ids;
}
}  // namespace

std::vector<std::string> ring_residents(pqxx::transaction_base& tx, const std::string& call_id) {
  return user_ids(tx.exec_prepared("calls_ring_residents", call_id));
}

std::vector<std::string> ring_front_desk(pqxx::transaction_base& tx, const std::string& call_id) {
  return user_ids(tx.exec_prepared("calls_ring_front_desk", call_id));
}

std::vector<std::string> recipients(pqxx::transaction_base& tx, const std::string& call_id,
                                    std::optional<std::string> role) {
  return user_ids(tx.exec_prepared("calls_recipients", call_id, role));
}

std::vector<Call> forward_due(pqxx::transaction_base& tx, common::TimePoint now) {
  return calls_from(tx.exec_prepared("calls_forward_due", at(now)));
}

std::optional<Call> forward_if_due(pqxx::transaction_base& tx, const std::string& call_id,
                                   common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_forward_one", at(now), call_id));
}

bool is_device_of(pqxx::transaction_base& tx, const std::string& device_id,
                  const std::string& user_id) {
  return !tx.exec_prepared("calls_device_of", device_id, user_id).empty();
}

std::vector<Call> list_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                    const CallQuery& query) {
  if (!query.after) {
    return calls_from(tx.exec_prepared("calls_list_mine_first", user_id, query.limit + 1));
  }
  return calls_from(tx.exec_prepared("calls_list_mine_after", user_id, query.after->time,
                                     query.after->id, query.limit + 1));
}

std::optional<Call> accept(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& user_id, const std::string& device_id,
                           const std::string& media, common::TimePoint now,
                           std::chrono::seconds longest) {
  return first_call(tx.exec_prepared("calls_accept", call_id, user_id, device_id, media, at(now),
                                     static_cast<long long>(longest.count())));
}

std::optional<Call> deny(pqxx::transaction_base& tx, const std::string& call_id,
                         const std::string& user_id, common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_deny", call_id, user_id, at(now)));
}

std::optional<Call> hang_up(pqxx::transaction_base& tx, const std::string& call_id,
                            const std::string& user_id) {
  return first_call(tx.exec_prepared("calls_hangup", call_id, user_id));
}

std::optional<Call> change_media(pqxx::transaction_base& tx, const std::string& call_id,
                                 const std::string& user_id, std::optional<bool> audio,
                                 std::optional<bool> video, common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_media", call_id, user_id, audio, video, at(now)));
}

std::optional<Call> claim_door_release(pqxx::transaction_base& tx, const std::string& call_id,
                                       const std::string& user_id, common::TimePoint now) {
  return first_call(tx.exec_prepared("calls_door_claim", call_id, user_id, at(now)));
}

void drop_door_claim(pqxx::transaction_base& tx, const std::string& call_id) {
  tx.exec_prepared("calls_door_released_claim", call_id);
}

std::optional<Call> door_opened(pqxx::transaction_base& tx, const std::string& call_id) {
  return first_call(tx.exec_prepared("calls_door_opened", call_id));
}

std::optional<Call> cancel(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& panel_id) {
  return first_call(tx.exec_prepared("calls_cancel", call_id, panel_id));
}

void record_event(pqxx::transaction_base& tx, const std::string& call_id, const std::string& event,
                  const std::string& actor, const std::string& details_json) {
  tx.exec_prepared("calls_event", call_id, event, actor, details_json);
}

void learn_panel_door(pqxx::transaction_base& tx, const std::string& panel_id,
                      std::int64_t access_point_id) {
  tx.exec_prepared("calls_panel_door_learnt", panel_id, access_point_id);
}

}  // namespace frontdoor::calls::store
