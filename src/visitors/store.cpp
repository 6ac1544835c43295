// SQL of the visitors module, each statement declared once as a db::Statement
// and read into a row struct by column name. The property's settings and the
// host's residency are read in the same round trip as the rule that needs them,
// through the views their owners publish (docs/tables.md): property_rules,
// current_residents, person_names, pass_states. A visitor with its pass is
// read from this module's own view, visitor_cards (migration 0019).
#include "store.hpp"

#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"
#include "frontdoor/visitors/json.hpp"

namespace frontdoor::visitors::store {
namespace {

// --- Statements -------------------------------------------------------------

// Newest first, keyset on (created_at, id). The first page has its own
// statement, so no plan has to keep a "no cursor" branch (and the benchmark's
// pgbench runs exactly this text).
constexpr db::Statement kListHostFirst{"visitors_list_host_first", R"sql(
  SELECT * FROM visitor_cards WHERE host_user_id = $1
  ORDER BY created_at DESC, id DESC LIMIT $2)sql",
                                       2};
constexpr db::Statement kListHostAfter{"visitors_list_host_after", R"sql(
  SELECT * FROM visitor_cards WHERE host_user_id = $1
    AND (created_at, id) < ($2::timestamptz, $3::uuid)
  ORDER BY created_at DESC, id DESC LIMIT $4)sql",
                                       4};
constexpr db::Statement kListPropertyFirst{"visitors_list_property_first", R"sql(
  SELECT * FROM visitor_cards WHERE property_id = $1
  ORDER BY created_at DESC, id DESC LIMIT $2)sql",
                                           2};
constexpr db::Statement kListPropertyAfter{"visitors_list_property_after", R"sql(
  SELECT * FROM visitor_cards WHERE property_id = $1
    AND (created_at, id) < ($2::timestamptz, $3::uuid)
  ORDER BY created_at DESC, id DESC LIMIT $4)sql",
                                           4};
constexpr db::Statement kGet{"visitors_get", "SELECT * FROM visitor_cards WHERE id = $1", 1};

constexpr db::Statement kResidentContext{"visitors_resident_context", R"sql(
  SELECT r.property_id, pr.name AS property_name, pr.time_zone,
         pr.allow_visitor_access AS visitors_allowed,
         pr.property_only_visitor_max_hours AS property_only_max_hours,
         r.first_name || ' ' || r.last_name AS host_name,
         pr.max_active_passes_per_resident AS max_active,
         pr.max_passes_per_resident_per_day AS max_per_day
  FROM current_residents r JOIN property_rules pr ON pr.id = r.property_id
  WHERE r.user_id = $1 AND r.property_id = $2)sql",
                                         2};
constexpr db::Statement kLockHost{"visitors_lock_host", R"sql(
  SELECT pg_advisory_xact_lock(hashtextextended('visitor-limits:' || $1 || ':' || $2, 0)))sql",
                                  2};
// "Today" is the property's: since its last midnight. A pass whose window is
// over, or that was revoked or failed, is no longer active.
constexpr db::Statement kHostedPasses{"visitors_hosted_passes", R"sql(
  SELECT count(*) FILTER (WHERE v.ends_at > $3::timestamptz
           AND coalesce(s.status, 'pending') NOT IN ('revoked', 'failed')
           AND NOT coalesce(s.uses >= s.max_uses, false))::int AS active,
         count(*) FILTER (WHERE v.created_at >=
           date_trunc('day', $3::timestamptz AT TIME ZONE $4) AT TIME ZONE $4)::int
           AS created_today
  FROM visitors v LEFT JOIN pass_states s ON s.visitor_id = v.id
  WHERE v.property_id = $1 AND v.host_user_id = $2)sql",
                                      4};
constexpr db::Statement kPropertyContext{"visitors_property_context", R"sql(
  SELECT name, time_zone, allow_visitor_access AS visitors_allowed
  FROM property_rules WHERE id = $1)sql",
                                         1};
constexpr db::Statement kInviterName{"visitors_inviter_name",
                                     "SELECT display_name FROM person_names WHERE id = $1", 1};
// The window as the invitation reads it, in the property's zone ($11).
constexpr db::Statement kInsert{"visitors_insert", R"sql(
  INSERT INTO visitors (property_id, host_user_id, created_by, name, phone, email, access,
                        visitor_user_id, starts_at, ends_at, kind, schedule)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13::jsonb)
  RETURNING id,
    to_char(starts_at AT TIME ZONE $11, 'Dy DD Mon HH24:MI') || ' to ' ||
    to_char(ends_at AT TIME ZONE $11,
            CASE WHEN (starts_at AT TIME ZONE $11)::date = (ends_at AT TIME ZONE $11)::date
                 THEN 'HH24:MI' ELSE 'Dy DD Mon HH24:MI' END) AS window_text)sql",
                                13};

constexpr db::Statement kDenialInsert{"visitors_denial_insert", R"sql(
  INSERT INTO denied_visitors (property_id, name, phone, email, reason, created_by, name_key,
                               email_key)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  RETURNING id, property_id, name, phone, email, reason, created_at)sql",
                                      8};
// Entries an older version inserted without the keys this one compares.
constexpr db::Statement kDenialsUnkeyed{"visitors_denials_unkeyed", R"sql(
  SELECT id, name, email FROM denied_visitors
  WHERE (name IS NOT NULL AND name_key IS NULL) OR (email IS NOT NULL AND email_key IS NULL)
  LIMIT 500)sql",
                                        0};
constexpr db::Statement kDenialKeyed{
    "visitors_denial_keyed",
    "UPDATE denied_visitors SET name_key = $2, email_key = $3 WHERE id = $1", 3};
// A refusal is counted; the managers hear of it when they have not been told of
// this entry in the last hour, with every refusal since then.
constexpr db::Statement kDenialRefused{"visitors_denial_refused", R"sql(
  UPDATE denied_visitors
  SET refusals_unreported = CASE WHEN tell THEN 0 ELSE refusals_unreported + 1 END,
      managers_told_at = CASE WHEN tell THEN now() ELSE managers_told_at END
  FROM (SELECT managers_told_at IS NULL OR managers_told_at <= now() - interval '1 hour' AS tell,
               refusals_unreported + 1 AS refusals
        FROM denied_visitors WHERE id = $1 FOR UPDATE) due
  WHERE id = $1
  RETURNING due.tell AS tell_managers, due.refusals)sql",
                                       1};
// The visits at the property that are not over and whose pass may still open:
// a new entry on the deny list revokes those it matches.
constexpr db::Statement kOpenAt{"visitors_open_at", R"sql(
  SELECT id AS visitor_id, name, phone, email, kind FROM visitor_cards
  WHERE property_id = $1 AND ends_at > $2::timestamptz AND pass_status IN ('pending', 'issued'))sql",
                                2};
constexpr db::Statement kDenialsFirst{"visitors_denials_first", R"sql(
  SELECT id, property_id, name, phone, email, reason, created_at FROM denied_visitors
  WHERE property_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)sql",
                                      2};
constexpr db::Statement kDenialsAfter{"visitors_denials_after", R"sql(
  SELECT id, property_id, name, phone, email, reason, created_at FROM denied_visitors
  WHERE property_id = $1 AND (created_at, id) < ($2::timestamptz, $3::uuid)
  ORDER BY created_at DESC, id DESC LIMIT $4)sql",
                                      4};
constexpr db::Statement kDenialDelete{
    "visitors_denial_delete",
    "DELETE FROM denied_visitors WHERE property_id = $1 AND id = $2 RETURNING id", 2};
constexpr db::Statement kDenialMatch{"visitors_denial_match", R"sql(
  SELECT id, property_id, name, phone, email, reason, created_at FROM denied_visitors
  WHERE property_id = $1 AND (phone = $3 OR email_key = $4 OR name_key = $2)
  ORDER BY created_at, id LIMIT 1)sql",
                                     4};

constexpr const db::Statement* kAll[] = {
    &kListHostFirst,   &kListHostAfter, &kListPropertyFirst, &kListPropertyAfter, &kGet,
    &kResidentContext, &kLockHost,      &kHostedPasses,      &kPropertyContext,   &kInviterName,
    &kInsert,          &kDenialInsert,  &kDenialsUnkeyed,    &kDenialKeyed,       &kDenialRefused,
    &kOpenAt,          &kDenialsFirst,  &kDenialsAfter,      &kDenialDelete,      &kDenialMatch};

// --- Rows -------------------------------------------------------------------

// A row of visitor_cards.
struct CardRow {
  std::string id;
  std::string property_id;
  std::optional<std::string> host_user_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  Access access = Access::property_wide;
  Kind kind = Kind::window;
  std::optional<std::string> schedule;  // JSON this module wrote
  common::TimePoint starts_at;
  common::TimePoint ends_at;
  common::TimePoint created_at;
  PassStatus pass_status = PassStatus::pending;
  std::optional<std::string> failure_code;
  std::optional<std::string> failure_reason;
  std::optional<common::TimePoint> arrived_at;
  int uses = 0;
  std::optional<int> max_uses;
  std::optional<common::TimePoint> first_used_at;
  std::optional<common::TimePoint> last_used_at;
};

struct InsertedRow {
  std::string id;
  std::string window_text;
};

struct RefusalRow {
  bool tell_managers = false;
  int refusals = 0;
};

struct DeletedRow {
  std::string id;
};

struct InviterRow {
  std::string display_name;
};

struct ContextRow {
  std::string property_id;
  std::string property_name;
  std::string time_zone;
  bool visitors_allowed = false;
  int property_only_max_hours = 0;
  std::string host_name;
  std::optional<int> max_active;
  std::optional<int> max_per_day;
};

}  // namespace
}  // namespace frontdoor::visitors::store

namespace frontdoor::db {

using visitors::rules::HostedPasses;
using visitors::store::CardRow;
using visitors::store::ContextRow;
using visitors::store::DeletedRow;
using visitors::store::InsertedRow;
using visitors::store::InviterRow;
using visitors::store::OpenVisit;
using visitors::store::PropertyContext;
using visitors::store::RefusalRow;
using visitors::store::UnkeyedDenial;

template <>
struct Shape<CardRow> {
  static constexpr auto columns = std::make_tuple(
      column("id", &CardRow::id), column("property_id", &CardRow::property_id),
      column("host_user_id", &CardRow::host_user_id), column("name", &CardRow::name),
      column("phone", &CardRow::phone), column("email", &CardRow::email),
      column("access", &CardRow::access), column("kind", &CardRow::kind),
      column("schedule", &CardRow::schedule), column("starts_at", &CardRow::starts_at),
      column("ends_at", &CardRow::ends_at), column("created_at", &CardRow::created_at),
      column("pass_status", &CardRow::pass_status), column("failure_code", &CardRow::failure_code),
      column("failure_reason", &CardRow::failure_reason),
      column("arrived_at", &CardRow::arrived_at), column("uses", &CardRow::uses),
      column("max_uses", &CardRow::max_uses), column("first_used_at", &CardRow::first_used_at),
      column("last_used_at", &CardRow::last_used_at));
};
template <>
struct Shape<InsertedRow> {
  static constexpr auto columns = std::make_tuple(column("id", &InsertedRow::id),
                                                  column("window_text", &InsertedRow::window_text));
};
template <>
struct Shape<RefusalRow> {
  static constexpr auto columns =
      std::make_tuple(column("tell_managers", &RefusalRow::tell_managers),
                      column("refusals", &RefusalRow::refusals));
};
template <>
struct Shape<DeletedRow> {
  static constexpr auto columns = std::make_tuple(column("id", &DeletedRow::id));
};
template <>
struct Shape<InviterRow> {
  static constexpr auto columns =
      std::make_tuple(column("display_name", &InviterRow::display_name));
};
template <>
struct Shape<ContextRow> {
  static constexpr auto columns = std::make_tuple(
      column("property_id", &ContextRow::property_id),
      column("property_name", &ContextRow::property_name),
      column("time_zone", &ContextRow::time_zone),
      column("visitors_allowed", &ContextRow::visitors_allowed),
      column("property_only_max_hours", &ContextRow::property_only_max_hours),
      column("host_name", &ContextRow::host_name), column("max_active", &ContextRow::max_active),
      column("max_per_day", &ContextRow::max_per_day));
};
template <>
struct Shape<HostedPasses> {
  static constexpr auto columns =
      std::make_tuple(column("active", &HostedPasses::active),
                      column("created_today", &HostedPasses::created_today));
};
template <>
struct Shape<PropertyContext> {
  static constexpr auto columns = std::make_tuple(
      column("name", &PropertyContext::name), column("time_zone", &PropertyContext::time_zone),
      column("visitors_allowed", &PropertyContext::visitors_allowed));
};
template <>
struct Shape<visitors::Denial> {
  using Denial = visitors::Denial;
  static constexpr auto columns =
      std::make_tuple(column("id", &Denial::id), column("property_id", &Denial::property_id),
                      column("name", &Denial::name), column("phone", &Denial::phone),
                      column("email", &Denial::email), column("reason", &Denial::reason),
                      column("created_at", &Denial::created_at));
};
template <>
struct Shape<UnkeyedDenial> {
  static constexpr auto columns =
      std::make_tuple(column("id", &UnkeyedDenial::id), column("name", &UnkeyedDenial::name),
                      column("email", &UnkeyedDenial::email));
};
template <>
struct Shape<OpenVisit> {
  static constexpr auto columns =
      std::make_tuple(column("visitor_id", &OpenVisit::visitor_id),
                      column("name", &OpenVisit::name), column("phone", &OpenVisit::phone),
                      column("email", &OpenVisit::email), column("kind", &OpenVisit::kind));
};

}  // namespace frontdoor::db

namespace frontdoor::visitors::store {
namespace {

// A schedule this module wrote (schedule_json): it always reads back.
Schedule stored_schedule(const std::string& text) {
  std::vector<common::FieldError> problems;
  auto schedule = schedule_from_json(nlohmann::json::parse(text), problems);
  if (!schedule) throw std::logic_error("a stored schedule does not read back: " + text);
  return *schedule;
}

Visitor visitor_from(const CardRow& row, common::TimePoint now) {
  Visitor visitor;
  visitor.id = row.id;
  visitor.property_id = row.property_id;
  visitor.name = row.name;
  visitor.phone = row.phone;
  visitor.email = row.email;
  visitor.access = row.access;
  visitor.kind = row.kind;
  if (row.schedule) visitor.schedule = stored_schedule(*row.schedule);
  visitor.starts_at = row.starts_at;
  visitor.ends_at = row.ends_at;
  visitor.created_at = row.created_at;
  visitor.arrived_at = row.arrived_at;
  visitor.pass.status = row.pass_status;
  visitor.pass.failure_code = row.failure_code;
  visitor.pass.failure_reason = row.failure_reason;
  visitor.pass.uses = row.uses;
  visitor.pass.max_uses = row.max_uses;
  visitor.pass.first_used_at = row.first_used_at;
  visitor.pass.last_used_at = row.last_used_at;
  visitor.status = rules::status_at(visitor, now);
  return visitor;
}

template <typename Result>
std::vector<Visitor> visitors_from(const Result& result, common::TimePoint now) {
  std::vector<Visitor> visitors;
  for (const auto& row : db::read_all<CardRow>(result)) visitors.push_back(visitor_from(row, now));
  return visitors;
}

}  // namespace

void prepare(db::Pool& pool) {
  for (const auto* statement : kAll) pool.prepare(*statement);
}

void use_on_the_io_threads(db::AsyncDatabase& database) {
  // A resident's own list is read on the I/O thread, without blocking it.
  database.use(kListHostFirst);
  database.use(kListHostAfter);
}

std::optional<ResidentContext> resident_context(pqxx::transaction_base& tx,
                                                const std::string& user_id,
                                                const std::string& property_id) {
  const auto row = db::read_first<ContextRow>(db::exec(tx, kResidentContext, user_id, property_id));
  if (!row) return std::nullopt;
  return ResidentContext{row->property_id,
                         row->property_name,
                         row->time_zone,
                         row->visitors_allowed,
                         row->property_only_max_hours,
                         row->host_name,
                         {row->max_active, row->max_per_day}};
}

void lock_host(pqxx::transaction_base& tx, const std::string& property_id,
               const std::string& user_id) {
  db::exec(tx, kLockHost, property_id, user_id);
}

rules::HostedPasses hosted_passes(pqxx::transaction_base& tx, const std::string& property_id,
                                  const std::string& user_id, common::TimePoint now,
                                  const std::string& time_zone) {
  return db::read_one<rules::HostedPasses>(
      db::exec(tx, kHostedPasses, property_id, user_id, common::to_sql_timestamp(now), time_zone));
}

std::optional<PropertyContext> property_context(pqxx::transaction_base& tx,
                                                const std::string& property_id) {
  return db::read_first<PropertyContext>(db::exec(tx, kPropertyContext, property_id));
}

std::string person_name(pqxx::transaction_base& tx, const std::string& user_id) {
  return db::read_one<InviterRow>(db::exec(tx, kInviterName, user_id)).display_name;
}

Inserted insert(pqxx::transaction_base& tx, const NewVisitor& row, const NewVisit& visit,
                const std::string& time_zone) {
  const auto schedule =
      visit.schedule ? std::optional(schedule_json(*visit.schedule)) : std::nullopt;
  const auto inserted = db::read_one<InsertedRow>(db::exec(
      tx, kInsert, row.property_id, row.host_user_id, row.created_by, visit.name, visit.phone,
      visit.email, std::string(common::name_of(row.access)), row.visitor_user_id,
      common::to_sql_timestamp(visit.starts_at), common::to_sql_timestamp(visit.ends_at), time_zone,
      std::string(common::name_of(visit.kind)), schedule));
  return {inserted.id, inserted.window_text};
}

std::optional<Stored> find(pqxx::transaction_base& tx, const std::string& visitor_id,
                           common::TimePoint now) {
  const auto row = db::read_first<CardRow>(db::exec(tx, kGet, visitor_id));
  if (!row) return std::nullopt;
  return Stored{visitor_from(*row, now), row->host_user_id};
}

std::vector<Visitor> list_at_property(pqxx::transaction_base& tx, const std::string& property_id,
                                      common::TimePoint now, const VisitorQuery& query) {
  if (!query.after) {
    return visitors_from(db::exec(tx, kListPropertyFirst, property_id, query.limit + 1), now);
  }
  return visitors_from(db::exec(tx, kListPropertyAfter, property_id, query.after->time,
                                query.after->id, query.limit + 1),
                       now);
}

boost::asio::awaitable<std::vector<Visitor>> list_hosted_by(db::AsyncDatabase& database,
                                                            const std::string& user_id,
                                                            common::TimePoint now,
                                                            const VisitorQuery& query) {
  // (Two statements, not one with a conditional co_await: GCC 12 destroys the
  // result of a co_await inside ?: too early.)
  db::Rows rows;
  if (query.after) {
    rows = co_await database.run(kListHostAfter, user_id, query.after->time, query.after->id,
                                 query.limit + 1);
  } else {
    rows = co_await database.run(kListHostFirst, user_id, query.limit + 1);
  }
  co_return visitors_from(rows, now);
}

Denial insert_denial(pqxx::transaction_base& tx, const std::string& property_id,
                     const NewDenial& denial, const std::string& created_by,
                     const MatchKeys& keys) {
  return db::read_one<Denial>(db::exec(tx, kDenialInsert, property_id, denial.name, denial.phone,
                                       denial.email, denial.reason, created_by, keys.name,
                                       keys.email));
}

std::vector<UnkeyedDenial> unkeyed_denials(pqxx::transaction_base& tx) {
  return db::read_all<UnkeyedDenial>(db::exec(tx, kDenialsUnkeyed));
}

void set_keys(pqxx::transaction_base& tx, const std::string& denial_id, const MatchKeys& keys) {
  db::exec(tx, kDenialKeyed, denial_id, keys.name, keys.email);
}

Refusal count_refusal(pqxx::transaction_base& tx, const std::string& denial_id) {
  const auto row = db::read_first<RefusalRow>(db::exec(tx, kDenialRefused, denial_id));
  if (!row) return {};
  return {row->tell_managers, row->refusals};
}

std::vector<OpenVisit> open_visits(pqxx::transaction_base& tx, const std::string& property_id,
                                   common::TimePoint now) {
  return db::read_all<OpenVisit>(db::exec(tx, kOpenAt, property_id, common::to_sql_timestamp(now)));
}

std::vector<Denial> denials(pqxx::transaction_base& tx, const std::string& property_id,
                            const DenialQuery& query) {
  if (!query.after) {
    return db::read_all<Denial>(db::exec(tx, kDenialsFirst, property_id, query.limit + 1));
  }
  return db::read_all<Denial>(db::exec(tx, kDenialsAfter, property_id, query.after->time,
                                       query.after->id, query.limit + 1));
}

bool delete_denial(pqxx::transaction_base& tx, const std::string& property_id,
                   const std::string& denial_id) {
  return db::read_first<DeletedRow>(db::exec(tx, kDenialDelete, property_id, denial_id))
      .has_value();
}

std::optional<Denial> denial_matching(pqxx::transaction_base& tx, const std::string& property_id,
                                      const MatchKeys& keys,
                                      const std::optional<std::string>& phone) {
  return db::read_first<Denial>(
      db::exec(tx, kDenialMatch, property_id, keys.name, phone, keys.email));
}

}  // namespace frontdoor::visitors::store
