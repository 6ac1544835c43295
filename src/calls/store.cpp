// SQL of the calls module. A transition is one conditional UPDATE: its WHERE
// names the state it leaves, so of two racing requests exactly one gets a row.
// Residents, panels, phones and BMX contact preferences are read through the
// views their owners publish (docs/tables.md); the conditions several
// statements share are functions of the call's row (migration 0020:
// call_rings, call_person_still_there, call_forwardable, call_due_to_end).
//
// Every statement that answers calls ends in the same columns: the call's row
// and its panel's name and door, read by name into calls::Call.
#include "store.hpp"

#include <pqxx/pqxx>
#include <string>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::calls::store {
namespace {

// Who is called and how: BMX's contact preference decides app or phone.
constexpr db::Statement kStartPanel{"calls_start_panel", R"sql(
  INSERT INTO calls AS c (property_id, residency_id, resident_user_id, panel_id, origin,
                          bmx_call_id, bmx_device_id, routed_to, video_offered, state,
                          callee_label, ring_deadline)
  SELECT r.property_id, r.id, r.user_id, pa.id, 'panel', NULL,
         CASE WHEN pa.bmx_device_id ~ '^[0-9]{1,18}$' THEN pa.bmx_device_id::bigint END,
         CASE WHEN l.contact_preference = 'phone_call' THEN 'phone' ELSE 'app' END,
         coalesce(l.contact_preference, 'mobile_app') = 'mobile_app',
         CASE WHEN l.contact_preference = 'phone_call' THEN 'routed_to_phone' ELSE 'ringing' END,
         coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name),
         $3::timestamptz + make_interval(secs => p.ring_timeout_seconds)
  FROM current_residents r
  JOIN property_rules p ON p.id = r.property_id AND p.directory_mode = 'residents'
  JOIN panel_profiles pa ON pa.id = $2 AND pa.property_id = r.property_id
  LEFT JOIN bmx_contact_preferences l ON l.user_id = r.user_id AND l.property_id = r.property_id
  WHERE r.id = $1 AND r.directory_listed
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                    3};
// $1 user, $2 property, $3 now, $4 BMX call id, $5 BMX device id.
constexpr db::Statement kStartBmx{"calls_start_bmx", R"sql(
  INSERT INTO calls AS c (property_id, residency_id, resident_user_id, panel_id, origin,
                          bmx_call_id, bmx_device_id, routed_to, video_offered, state,
                          callee_label, ring_deadline)
  SELECT r.property_id, r.id, r.user_id,
         (SELECT id FROM panel_profiles
          WHERE property_id = r.property_id AND bmx_device_id = $5::bigint::text
            AND revoked_at IS NULL
          ORDER BY created_at LIMIT 1),
         'bmx', $4::bigint, $5::bigint,
         CASE WHEN l.contact_preference = 'phone_call' THEN 'phone' ELSE 'app' END,
         coalesce(l.contact_preference, 'mobile_app') = 'mobile_app',
         CASE WHEN l.contact_preference = 'phone_call' THEN 'routed_to_phone' ELSE 'ringing' END,
         coalesce(r.directory_display_name, r.first_name || ' ' || r.last_name),
         $3::timestamptz + make_interval(secs => p.ring_timeout_seconds)
  FROM current_residents r JOIN property_rules p ON p.id = r.property_id
  LEFT JOIN bmx_contact_preferences l ON l.user_id = r.user_id AND l.property_id = r.property_id
  WHERE r.user_id = $1 AND r.property_id = $2
  ON CONFLICT (property_id, bmx_call_id) DO NOTHING
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                  5};
// A unit's call rings the app of every listed resident (BMX's phone routing is
// per resident); nothing when nobody there can take it. $1 unit, $2 panel, $3 now.
constexpr db::Statement kStartUnit{"calls_start_unit", R"sql(
  INSERT INTO calls AS c (property_id, unit_id, panel_id, origin, bmx_device_id, routed_to,
                          video_offered, state, callee_label, ring_deadline)
  SELECT un.property_id, un.id, pa.id, 'panel',
         CASE WHEN pa.bmx_device_id ~ '^[0-9]{1,18}$' THEN pa.bmx_device_id::bigint END,
         'app', true, 'ringing', un.label,
         $3::timestamptz + make_interval(secs => p.ring_timeout_seconds)
  FROM unit_labels un
  JOIN property_rules p ON p.id = un.property_id AND p.directory_mode = 'units'
  JOIN panel_profiles pa ON pa.id = $2 AND pa.property_id = un.property_id
  WHERE un.id = $1
    AND EXISTS (SELECT 1 FROM current_residents r WHERE r.unit_id = un.id AND r.directory_listed)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                   3};
// The label of a unit this panel lists. $1 unit, $2 panel.
constexpr db::Statement kUnitListed{"calls_unit_listed", R"sql(
  SELECT un.label FROM unit_labels un
  JOIN property_rules p ON p.id = un.property_id AND p.directory_mode = 'units'
  JOIN panel_profiles pa ON pa.id = $2 AND pa.property_id = un.property_id
  WHERE un.id = $1)sql",
                                    2};
// The people a new call rings: its resident, or the unit's listed residents.
constexpr db::Statement kRingResidents{"calls_ring_residents", R"sql(
  INSERT INTO call_recipients (call_id, user_id, role)
  SELECT DISTINCT c.id, r.user_id, 'resident' FROM calls c
  JOIN current_residents r ON r.property_id = c.property_id
   AND (r.id = c.residency_id OR (r.unit_id = c.unit_id AND r.directory_listed))
  WHERE c.id = $1
  RETURNING user_id)sql",
                                       1};
// The front desk joins the group: staff and managers with a phone to ring.
constexpr db::Statement kRingFrontDesk{"calls_ring_front_desk", R"sql(
  INSERT INTO call_recipients AS cr (call_id, user_id, role)
  SELECT DISTINCT c.id, s.user_id, 'front_desk' FROM calls c
  JOIN property_staff s ON s.property_id = c.property_id
  WHERE c.id = $1 AND EXISTS (SELECT 1 FROM device_tokens d WHERE d.user_id = s.user_id)
  ON CONFLICT (call_id, user_id) DO UPDATE SET role = 'front_desk'
  RETURNING cr.user_id)sql",
                                       1};
// Everyone a call rang, by role ($2 NULL: all).
constexpr db::Statement kRecipients{"calls_recipients", R"sql(
  SELECT user_id FROM call_recipients
  WHERE call_id = $1 AND ($2::text IS NULL OR role = $2) ORDER BY user_id)sql",
                                    2};
// $1 now; up to 100 due, skipping those another instance holds. The desk's
// window starts when the residents' ended, however late the sweep runs, as
// call_as_of shows it to readers meanwhile.
constexpr db::Statement kForwardDue{"calls_forward_due", R"sql(
  UPDATE calls c SET forwarded_to = 'front_desk',
    ring_deadline = c.ring_deadline + make_interval(secs => (
      SELECT ring_timeout_seconds FROM property_rules WHERE id = c.property_id))
  WHERE c.state = 'ringing' AND c.ring_deadline <= $1::timestamptz AND call_forwardable(c)
    AND c.id IN (SELECT id FROM calls
                 WHERE state = 'ringing' AND forwarded_to IS NULL
                   AND ring_deadline <= $1::timestamptz
                 ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                    1};
// The call as the person ($2) sees it at $3 (call_as_of: what the sweep will
// write), with where they sit in its group, whether they are still where it
// found them, and whether $4 is one of their devices. Nothing when the call
// never rang them. A call the sweep has yet to forward counts the front desk in
// already, as calls_ring_front_desk will. What every refusal of an action
// needs, in one statement.
constexpr db::Statement kSeenBy{"calls_seen_by", R"sql(
  SELECT v.*, (SELECT name FROM panel_profiles WHERE id = v.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = v.panel_id) AS bmx_access_point_id,
    coalesce(cr.role = 'front_desk', false) OR j.joins_desk AS front_desk,
    call_person_still_there(v, $2) AS still_there,
    EXISTS (SELECT 1 FROM device_tokens d WHERE d.id = $4 AND d.user_id = $2) AS own_device
  FROM calls c CROSS JOIN LATERAL call_as_of(c, $3::timestamptz) v
  LEFT JOIN call_recipients cr ON cr.call_id = c.id AND cr.user_id = $2
  CROSS JOIN LATERAL (
    SELECT c.forwarded_to IS NULL AND v.forwarded_to IS NOT NULL
       AND EXISTS (SELECT 1 FROM property_staff s JOIN device_tokens d ON d.user_id = s.user_id
                   WHERE s.property_id = c.property_id AND s.user_id = $2) AS joins_desk) j
  WHERE c.id = $1 AND (cr.user_id IS NOT NULL OR j.joins_desk))sql",
                                4};
// The call as its panel ($2) sees it at $3.
constexpr db::Statement kSeenByPanel{"calls_seen_by_panel", R"sql(
  SELECT v.*, (SELECT name FROM panel_profiles WHERE id = v.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = v.panel_id) AS bmx_access_point_id
  FROM calls c CROSS JOIN LATERAL call_as_of(c, $3::timestamptz) v
  WHERE c.id = $1 AND c.panel_id = $2)sql",
                                     3};
constexpr db::Statement kGet{"calls_get", R"sql(
  SELECT c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id
  FROM calls c WHERE c.id = $1)sql",
                             1};
// $1 now; up to 100, skipping those another instance holds. They ended when
// their time ran out, as call_as_of shows them to readers until now.
constexpr db::Statement kEndDue{"calls_sweep", R"sql(
  UPDATE calls c SET state = CASE WHEN c.state = 'ringing' THEN 'missed' ELSE 'ended' END,
    ended_at = CASE WHEN c.state = 'ringing' THEN c.ring_deadline ELSE c.accepted_until END
  WHERE c.id IN (SELECT d.id FROM calls d
                 WHERE d.state IN ('ringing', 'accepted') AND call_due_to_end(d, $1::timestamptz)
                 ORDER BY d.created_at LIMIT 100 FOR UPDATE SKIP LOCKED)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                1};
// Move-out: the resident's ringing calls are canceled and their answered ones
// ended. $1 user, $2 property.
constexpr db::Statement kEndForResident{"calls_end_for_resident", R"sql(
  UPDATE calls c SET state = CASE WHEN c.state = 'ringing' THEN 'canceled' ELSE 'ended' END,
    ended_at = now()
  WHERE c.property_id = $2
    AND ((c.state = 'ringing' AND c.resident_user_id = $1)
         OR (c.state = 'accepted' AND c.answered_by = $1))
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                        2};
// $1 call, $2 user, $3 device, $4 media, $5 now, $6 longest answered call (seconds).
constexpr db::Statement kAccept{"calls_accept", R"sql(
  UPDATE calls c SET state = 'accepted', accepted_device_id = $3, media = $4, answered_by = $2,
    audio_on = true, video_on = ($4 = 'video' AND c.video_offered), answered_at = now(),
    accepted_until = $5::timestamptz + make_interval(secs => $6)
  WHERE c.id = $1 AND c.state = 'ringing' AND c.ring_deadline > $5::timestamptz
    AND EXISTS (SELECT 1 FROM device_tokens d WHERE d.id = $3 AND d.user_id = $2)
    AND call_rings(c, $2)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                6};
// $1 call, $2 user, $3 now.
constexpr db::Statement kDeny{"calls_deny", R"sql(
  UPDATE calls c SET state = 'denied', ended_at = now()
  WHERE c.id = $1 AND c.state = 'ringing' AND c.ring_deadline > $3::timestamptz
    AND call_rings(c, $2)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                              3};
// Only whoever answered, while still there; not while the door is being released.
constexpr db::Statement kHangUp{"calls_hangup", R"sql(
  UPDATE calls c SET state = 'ended', ended_at = now()
  WHERE c.id = $1 AND c.state = 'accepted' AND c.door_release_started_at IS NULL
    AND c.answered_by = $2 AND call_person_still_there(c, $2)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                2};
// A panel cancels only its own calls.
constexpr db::Statement kCancel{"calls_cancel", R"sql(
  UPDATE calls c SET state = 'canceled', ended_at = now()
  WHERE c.id = $1 AND c.panel_id = $2 AND c.state = 'ringing'
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                2};
// Video can only be turned on when the call offered it. $5 now.
constexpr db::Statement kMedia{"calls_media", R"sql(
  UPDATE calls c SET audio_on = coalesce($3, c.audio_on),
    video_on = c.video_offered AND coalesce($4, c.video_on)
  WHERE c.id = $1 AND c.state = 'accepted' AND c.accepted_until > $5::timestamptz
    AND c.answered_by = $2 AND call_person_still_there(c, $2)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                               5};
// $3 now.
constexpr db::Statement kClaimDoor{"calls_door_claim", R"sql(
  UPDATE calls c SET door_release_started_at = now()
  WHERE c.id = $1 AND c.state = 'accepted' AND c.accepted_until > $3::timestamptz
    AND c.door_release_started_at IS NULL
    AND c.answered_by = $2 AND call_person_still_there(c, $2)
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                   3};
constexpr db::Statement kStillRinging{"calls_still_ringing", R"sql(
  SELECT id FROM calls WHERE id = $1 AND state = 'ringing' AND ring_deadline > $2::timestamptz)sql",
                                      2};
constexpr db::Statement kDoorOpened{"calls_door_opened", R"sql(
  UPDATE calls c SET state = 'door_opened', ended_at = now(), door_release_started_at = NULL
  WHERE c.id = $1 AND c.state = 'accepted'
  RETURNING c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id)sql",
                                    1};
// Door releases claimed longer ago than their deadline ($1 ms) and not checked
// since: their instance died while BMX worked. Each is checked once.
constexpr db::Statement kStaleDoorClaims{"calls_stale_door_claims", R"sql(
  UPDATE calls c SET door_release_checked_at = now()
  WHERE c.id IN (SELECT id FROM calls
                 WHERE state = 'accepted'
                   AND door_release_started_at < now() - $1 * interval '1 millisecond'
                   AND (door_release_checked_at IS NULL
                        OR door_release_checked_at < door_release_started_at)
                 ORDER BY door_release_started_at LIMIT 20 FOR UPDATE SKIP LOCKED)
  RETURNING c.id, c.door_release_started_at AS claimed_at)sql",
                                         1};
// The claim a check is about, if it still stands.
constexpr db::Statement kDoorClaimStands{"calls_door_claim_at", R"sql(
  SELECT id FROM calls
  WHERE id = $1 AND state = 'accepted' AND door_release_started_at = $2::timestamptz)sql",
                                         2};
constexpr db::Statement kDropDoorClaim{
    "calls_door_released_claim", "UPDATE calls SET door_release_started_at = NULL WHERE id = $1",
    1};
constexpr db::Statement kRecordEvent{"calls_event", R"sql(
  INSERT INTO call_events (call_id, event, actor, details) VALUES ($1, $2, $3, $4::jsonb))sql",
                                     4};
constexpr db::Statement kLearnPanelDoor{"calls_panel_door_learnt",
                                        "SELECT panel_learn_door($1, $2)", 2};
// Newest first; the first page without the cursor condition, like the visitor lists.
constexpr db::Statement kListMineFirst{"calls_list_mine_first", R"sql(
  SELECT c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id
  FROM call_recipients cr JOIN calls c ON c.id = cr.call_id
  WHERE cr.user_id = $1
  ORDER BY c.created_at DESC, c.id DESC LIMIT $2)sql",
                                       2};
constexpr db::Statement kListMineAfter{"calls_list_mine_after", R"sql(
  SELECT c.*, (SELECT name FROM panel_profiles WHERE id = c.panel_id) AS panel_name,
    (SELECT bmx_access_point_id FROM panel_profiles WHERE id = c.panel_id) AS bmx_access_point_id
  FROM call_recipients cr JOIN calls c ON c.id = cr.call_id
  WHERE cr.user_id = $1 AND (c.created_at, c.id) < ($2::timestamptz, $3::uuid)
  ORDER BY c.created_at DESC, c.id DESC LIMIT $4)sql",
                                       4};

struct UserRow {
  std::string user_id;
};
struct LabelRow {
  std::string label;
};
struct IdRow {
  std::string id;
};
struct StandingRow {
  bool front_desk = false;
  bool still_there = false;
  bool own_device = false;
};
struct ClaimRow {
  std::string id;
  common::TimePoint claimed_at;
};

}  // namespace
}  // namespace frontdoor::calls::store

namespace frontdoor::db {

using namespace calls;
using namespace calls::store;

template <>
struct Shape<Call> {
  static constexpr auto columns = std::make_tuple(
      column("id", &Call::id), column("property_id", &Call::property_id),
      column("resident_user_id", &Call::resident_user_id), column("unit_id", &Call::unit_id),
      column("forwarded_to", &Call::forwarded_to), column("answered_by", &Call::answered_by),
      column("state", &Call::state), column("callee_label", &Call::callee_label),
      column("origin", &Call::origin), column("routed_to", &Call::routed_to),
      column("video_offered", &Call::video_offered), column("panel_id", &Call::panel_id),
      column("panel_name", &Call::panel_name), column("bmx_call_id", &Call::bmx_call_id),
      column("bmx_device_id", &Call::bmx_device_id),
      column("bmx_access_point_id", &Call::bmx_access_point_id),
      column("created_at", &Call::created_at), column("ring_deadline", &Call::ring_deadline),
      column("answered_at", &Call::answered_at), column("ended_at", &Call::ended_at),
      column("media", &Call::media), column("audio_on", &Call::audio_on),
      column("video_on", &Call::video_on), column("accepted_device_id", &Call::accepted_device_id));
};
template <>
struct Shape<UserRow> {
  static constexpr auto columns = std::make_tuple(column("user_id", &UserRow::user_id));
};
template <>
struct Shape<LabelRow> {
  static constexpr auto columns = std::make_tuple(column("label", &LabelRow::label));
};
template <>
struct Shape<IdRow> {
  static constexpr auto columns = std::make_tuple(column("id", &IdRow::id));
};
template <>
struct Shape<ClaimRow> {
  static constexpr auto columns =
      std::make_tuple(column("id", &ClaimRow::id), column("claimed_at", &ClaimRow::claimed_at));
};
template <>
struct Shape<StandingRow> {
  using R = StandingRow;
  static constexpr auto columns =
      std::make_tuple(column("front_desk", &R::front_desk), column("still_there", &R::still_there),
                      column("own_device", &R::own_device));
};

}  // namespace frontdoor::db

namespace frontdoor::calls::store {
namespace {

std::string at(common::TimePoint now) { return common::to_sql_timestamp(now); }

std::optional<Call> first_call(const pqxx::result& result) { return db::read_first<Call>(result); }

std::vector<Call> calls_from(const pqxx::result& result) { return db::read_all<Call>(result); }

std::vector<std::string> user_ids(const pqxx::result& result) {
  std::vector<std::string> ids;
  for (auto& row : db::read_all<UserRow>(result)) ids.push_back(std::move(row.user_id));
  return ids;
}

bool found(const pqxx::result& result) { return db::read_first<IdRow>(result).has_value(); }

}  // namespace

void prepare(db::Pool& pool) {
  for (const auto* statement : {&kStartPanel,
                                &kStartBmx,
                                &kStartUnit,
                                &kUnitListed,
                                &kRingResidents,
                                &kRingFrontDesk,
                                &kRecipients,
                                &kForwardDue,
                                &kSeenBy,
                                &kSeenByPanel,
                                &kGet,
                                &kEndDue,
                                &kEndForResident,
                                &kAccept,
                                &kDeny,
                                &kHangUp,
                                &kCancel,
                                &kMedia,
                                &kClaimDoor,
                                &kStillRinging,
                                &kDoorOpened,
                                &kStaleDoorClaims,
                                &kDoorClaimStands,
                                &kDropDoorClaim,
                                &kRecordEvent,
                                &kLearnPanelDoor,
                                &kListMineFirst,
                                &kListMineAfter}) {
    pool.prepare(*statement);
  }
}

std::optional<Call> start_from_panel(pqxx::transaction_base& tx, const std::string& entry_id,
                                     const std::string& panel_id, common::TimePoint now) {
  return first_call(db::exec(tx, kStartPanel, entry_id, panel_id, at(now)));
}

std::optional<Call> start_from_bmx(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id, common::TimePoint now,
                                   std::int64_t bmx_call_id, std::int64_t bmx_device_id) {
  return first_call(
      db::exec(tx, kStartBmx, user_id, property_id, at(now), bmx_call_id, bmx_device_id));
}

std::optional<Call> find(pqxx::transaction_base& tx, const std::string& call_id) {
  return first_call(db::exec(tx, kGet, call_id));
}

std::optional<Seen> seen_by(pqxx::transaction_base& tx, const std::string& call_id,
                            const std::string& user_id, common::TimePoint now,
                            const std::optional<std::string>& device_id) {
  const auto result = db::exec(tx, kSeenBy, call_id, user_id, at(now), device_id);
  auto call = first_call(result);
  if (!call) return std::nullopt;
  const auto standing = db::read_one<StandingRow>(result);
  return Seen{std::move(*call), {standing.front_desk, standing.still_there}, standing.own_device};
}

std::optional<Call> seen_by_panel(pqxx::transaction_base& tx, const std::string& call_id,
                                  const std::string& panel_id, common::TimePoint now) {
  return first_call(db::exec(tx, kSeenByPanel, call_id, panel_id, at(now)));
}

std::vector<StaleDoorClaim> stale_door_claims(pqxx::transaction_base& tx,
                                              std::chrono::milliseconds deadline) {
  std::vector<StaleDoorClaim> stale;
  for (auto& row : db::read_all<ClaimRow>(
           db::exec(tx, kStaleDoorClaims, static_cast<long long>(deadline.count())))) {
    stale.push_back({std::move(row.id), common::to_sql_timestamp(row.claimed_at)});
  }
  return stale;
}

bool door_claim_stands(pqxx::transaction_base& tx, const StaleDoorClaim& claim) {
  return found(db::exec(tx, kDoorClaimStands, claim.call_id, claim.claimed_at));
}

std::vector<Call> end_due(pqxx::transaction_base& tx, common::TimePoint now) {
  return calls_from(db::exec(tx, kEndDue, at(now)));
}

std::vector<Call> end_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id) {
  return calls_from(db::exec(tx, kEndForResident, user_id, property_id));
}

bool still_ringing(pqxx::transaction_base& tx, const std::string& call_id, common::TimePoint now) {
  return found(db::exec(tx, kStillRinging, call_id, at(now)));
}

std::optional<Call> start_for_unit(pqxx::transaction_base& tx, const std::string& unit_id,
                                   const std::string& panel_id, common::TimePoint now) {
  return first_call(db::exec(tx, kStartUnit, unit_id, panel_id, at(now)));
}

std::optional<std::string> listed_unit(pqxx::transaction_base& tx, const std::string& unit_id,
                                       const std::string& panel_id) {
  auto row = db::read_first<LabelRow>(db::exec(tx, kUnitListed, unit_id, panel_id));
  if (!row) return std::nullopt;
  return std::move(row->label);
}

std::vector<std::string> ring_residents(pqxx::transaction_base& tx, const std::string& call_id) {
  return user_ids(db::exec(tx, kRingResidents, call_id));
}

std::vector<std::string> ring_front_desk(pqxx::transaction_base& tx, const std::string& call_id) {
  return user_ids(db::exec(tx, kRingFrontDesk, call_id));
}

std::vector<std::string> recipients(pqxx::transaction_base& tx, const std::string& call_id,
                                    const std::optional<std::string>& role) {
  return user_ids(db::exec(tx, kRecipients, call_id, role));
}

std::vector<Call> forward_due(pqxx::transaction_base& tx, common::TimePoint now) {
  return calls_from(db::exec(tx, kForwardDue, at(now)));
}

std::vector<Call> list_for_resident(pqxx::transaction_base& tx, const std::string& user_id,
                                    const CallQuery& query) {
  if (!query.after) {
    return calls_from(db::exec(tx, kListMineFirst, user_id, query.limit + 1));
  }
  return calls_from(
      db::exec(tx, kListMineAfter, user_id, query.after->time, query.after->id, query.limit + 1));
}

std::optional<Call> accept(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& user_id, const std::string& device_id,
                           const std::string& media, common::TimePoint now,
                           std::chrono::seconds longest) {
  return first_call(db::exec(tx, kAccept, call_id, user_id, device_id, media, at(now),
                             static_cast<long long>(longest.count())));
}

std::optional<Call> deny(pqxx::transaction_base& tx, const std::string& call_id,
                         const std::string& user_id, common::TimePoint now) {
  return first_call(db::exec(tx, kDeny, call_id, user_id, at(now)));
}

std::optional<Call> hang_up(pqxx::transaction_base& tx, const std::string& call_id,
                            const std::string& user_id) {
  return first_call(db::exec(tx, kHangUp, call_id, user_id));
}

std::optional<Call> change_media(pqxx::transaction_base& tx, const std::string& call_id,
                                 const std::string& user_id, std::optional<bool> audio,
                                 std::optional<bool> video, common::TimePoint now) {
  return first_call(db::exec(tx, kMedia, call_id, user_id, audio, video, at(now)));
}

std::optional<Call> claim_door_release(pqxx::transaction_base& tx, const std::string& call_id,
                                       const std::string& user_id, common::TimePoint now) {
  return first_call(db::exec(tx, kClaimDoor, call_id, user_id, at(now)));
}

void drop_door_claim(pqxx::transaction_base& tx, const std::string& call_id) {
  db::exec(tx, kDropDoorClaim, call_id);
}

std::optional<Call> door_opened(pqxx::transaction_base& tx, const std::string& call_id) {
  return first_call(db::exec(tx, kDoorOpened, call_id));
}

std::optional<Call> cancel(pqxx::transaction_base& tx, const std::string& call_id,
                           const std::string& panel_id) {
  return first_call(db::exec(tx, kCancel, call_id, panel_id));
}

void record_event(pqxx::transaction_base& tx, const std::string& call_id, const std::string& event,
                  const std::string& actor, const std::string& details_json) {
  db::exec(tx, kRecordEvent, call_id, event, actor, details_json);
}

void learn_panel_door(pqxx::transaction_base& tx, const std::string& panel_id,
                      std::int64_t access_point_id) {
  db::exec(tx, kLearnPanelDoor, panel_id, access_point_id);
}

}  // namespace frontdoor::calls::store
