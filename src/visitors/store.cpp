// SQL of the visitors module. The property's settings and the host's residency
// are read in the same round trip as the rule that needs them, through the views
// their owners publish (docs/tables.md): property_rules, current_residents,
// person_names, pass_states.
#include "store.hpp"

#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/fields.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/visitors/json.hpp"

namespace frontdoor::visitors::store {
namespace {

// A visitor as the apps see it, with its pass; $2 is "now".
const std::string kColumns =
    "v.id, v.name, v.phone, v.email, v.access, rfc3339(v.starts_at), rfc3339(v.ends_at), "
    "rfc3339(v.created_at), p.status, p.failure_code, p.failure_reason, rfc3339(p.arrived_at), "
    "CASE WHEN p.uses >= p.max_uses THEN 'used_up' "
    "WHEN p.status = 'revoked' THEN 'revoked' WHEN v.ends_at <= $2::timestamptz "
    "THEN 'expired' WHEN p.arrived_at IS NOT NULL THEN 'arrived' "
    "WHEN v.starts_at > $2::timestamptz THEN 'scheduled' ELSE 'active' END, "
    "to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "v.property_id, v.kind, v.schedule::text, p.uses, p.max_uses, rfc3339(p.first_used_at), "
    "rfc3339(p.last_used_at)";

// Newest first, keyset on (created_at, id). The first page has its own
// statement, so no plan has to keep a "no cursor" branch (and the benchmark's
// pgbench runs exactly this text).
std::string list_sql(const std::string& owner_column, bool after_cursor) {
  return "SELECT " + kColumns +
         " FROM visitors v JOIN pass_states p ON p.visitor_id = v.id WHERE v." + owner_column +
         " = $1 " +
         (after_cursor ? "AND (v.created_at, v.id) < ($3::timestamptz, $4::uuid) "
                         "ORDER BY v.created_at DESC, v.id DESC LIMIT $5"
                       : "ORDER BY v.created_at DESC, v.id DESC LIMIT $3");
}

// The columns kColumns returns, in this order.
enum Column {
  kId,
  kName,
  kPhone,
  kEmail,
  kAccess,
  kStartsAt,
  kEndsAt,
  kCreatedAt,
  kPassStatus,
  kFailureCode,
  kFailureReason,
  kArrivedAt,
  kStatus,
  kCursor,
  kPropertyId,
  kKind,
  kSchedule,
  kUses,
  kMaxUses,
  kFirstUsedAt,
  kLastUsedAt,
  kHostUserId,  // visitors_get only
};

template <typename Field>
std::optional<std::string> text_or_null(const Field& field) {
  if (field.is_null()) return std::nullopt;
  return field.template as<std::string>();
}

// A schedule this module wrote (schedule_json): it always reads back.
std::optional<Schedule> stored_schedule(const std::string& text) {
  std::vector<common::FieldError> problems;
  auto schedule = schedule_from_json(nlohmann::json::parse(text), problems);
  if (!schedule) throw std::logic_error("a stored schedule does not read back: " + text);
  return schedule;
}

// One visitor from a row of either path (libpqxx on a worker, the asynchronous
// path on an I/O thread): both read fields the same way.
template <typename Row>
Visitor visitor_from(const Row& row) {
  Visitor visitor;
  visitor.id = row[kId].template as<std::string>();
  visitor.name = row[kName].template as<std::string>();
  visitor.phone = text_or_null(row[kPhone]);
  visitor.email = text_or_null(row[kEmail]);
  visitor.access = row[kAccess].template as<std::string>();
  visitor.starts_at = row[kStartsAt].template as<std::string>();
  visitor.ends_at = row[kEndsAt].template as<std::string>();
  visitor.created_at = row[kCreatedAt].template as<std::string>();
  visitor.pass.status = row[kPassStatus].template as<std::string>();
  visitor.pass.failure_code = text_or_null(row[kFailureCode]);
  visitor.pass.failure_reason = text_or_null(row[kFailureReason]);
  visitor.arrived_at = text_or_null(row[kArrivedAt]);
  visitor.status = row[kStatus].template as<std::string>();
  visitor.cursor = row[kCursor].template as<std::string>();
  visitor.property_id = row[kPropertyId].template as<std::string>();
  visitor.kind = kind_named(row[kKind].template as<std::string>()).value_or(Kind::window);
  if (!row[kSchedule].is_null())
    visitor.schedule = stored_schedule(row[kSchedule].template as<std::string>());
  visitor.pass.uses = row[kUses].template as<int>();
  if (!row[kMaxUses].is_null()) visitor.pass.max_uses = row[kMaxUses].template as<int>();
  visitor.pass.first_used_at = text_or_null(row[kFirstUsedAt]);
  visitor.pass.last_used_at = text_or_null(row[kLastUsedAt]);
  return visitor;
}

template <typename Rows>
std::vector<Visitor> visitors_from(const Rows& rows) {
  std::vector<Visitor> visitors;
  visitors.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) visitors.push_back(visitor_from(rows[i]));
  return visitors;
}

const std::string kDenialColumns =
    "id, property_id, name, phone, email, reason, rfc3339(created_at), "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

Denial denial_from(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<std::string>(), text_or_null(row[2]),
          text_or_null(row[3]),     text_or_null(row[4]),     row[5].as<std::string>(),
          row[6].as<std::string>(), row[7].as<std::string>()};
}

std::vector<Denial> denials_from(const pqxx::result& rows) {
  std::vector<Denial> found;
  for (const auto& row : rows) found.push_back(denial_from(row));
  return found;
}

}  // namespace

void prepare(db::Pool& pool) {
  pool.prepare("visitors_denial_insert",
               "INSERT INTO denied_visitors (property_id, name, phone, email, reason, created_by, "
               "name_key, email_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " +
                   kDenialColumns);
  // Entries an older version inserted without the keys this one compares.
  pool.prepare("visitors_denials_unkeyed",
               "SELECT id, name, email FROM denied_visitors WHERE (name IS NOT NULL AND name_key "
               "IS NULL) OR (email IS NOT NULL AND email_key IS NULL) LIMIT 500");
  pool.prepare("visitors_denial_keyed",
               "UPDATE denied_visitors SET name_key = $2, email_key = $3 WHERE id = $1");
  // A refusal is counted; the managers hear of it when they have not been told
  // of this entry in the last hour, with every refusal since then.
  pool.prepare("visitors_denial_refused",
               "UPDATE denied_visitors SET refusals_unreported = CASE WHEN tell THEN 0 "
               "ELSE refusals_unreported + 1 END, managers_told_at = CASE WHEN tell THEN now() "
               "ELSE managers_told_at END FROM (SELECT managers_told_at IS NULL OR "
               "managers_told_at <= now() - interval '1 hour' AS tell, refusals_unreported + 1 "
               "AS refusals FROM denied_visitors WHERE id = $1 FOR UPDATE) due WHERE id = $1 "
               "RETURNING due.tell, due.refusals");
  // The visits at the property that are not over and whose pass may still open:
  // a new entry on the deny list revokes those it matches.
  pool.prepare("visitors_open_at",
               "SELECT v.id, v.name, v.phone, v.email, v.kind FROM visitors v "
               "JOIN pass_states p ON p.visitor_id = v.id WHERE v.property_id = $1 "
               "AND v.ends_at > $2::timestamptz AND p.status IN ('pending', 'issued')");
  pool.prepare("visitors_denials_first", "SELECT " + kDenialColumns +
                                             " FROM denied_visitors WHERE property_id = $1 "
                                             "ORDER BY created_at DESC, id DESC LIMIT $2");
  pool.prepare("visitors_denials_after", "SELECT " + kDenialColumns +
                                             " FROM denied_visitors WHERE property_id = $1 "
                                             "AND (created_at, id) < ($2::timestamptz, $3::uuid) "
                                             "ORDER BY created_at DESC, id DESC LIMIT $4");
  pool.prepare("visitors_denial_delete",
               "DELETE FROM denied_visitors WHERE property_id = $1 AND id = $2 RETURNING id");
  pool.prepare("visitors_denial_match", "SELECT " + kDenialColumns +
                                            " FROM denied_visitors WHERE property_id = $1 AND "
                                            "(phone = $3 OR email_key = $4 OR name_key = $2) "
                                            "ORDER BY created_at, id LIMIT 1");
  pool.prepare("visitors_resident_context",
               "SELECT r.property_id, pr.name, pr.time_zone, pr.allow_visitor_access, "
               "pr.property_only_visitor_max_hours, r.first_name || ' ' || r.last_name, "
               "pr.max_active_passes_per_resident, pr.max_passes_per_resident_per_day "
               "FROM current_residents r JOIN property_rules pr ON pr.id = r.property_id "
               "WHERE r.user_id = $1 AND r.property_id = $2");
  pool.prepare("visitors_lock_host",
               "SELECT pg_advisory_xact_lock(hashtextextended('visitor-limits:' || $1 || ':' || "
               "$2, 0))");
  // "Today" is the property's: since its last midnight. A pass whose window is
  // over, or that was revoked or failed, is no longer active.
  pool.prepare("visitors_hosted_passes",
               "SELECT count(*) FILTER (WHERE v.ends_at > $3::timestamptz "
               "  AND coalesce(s.status, 'pending') NOT IN ('revoked', 'failed') "
               "  AND NOT coalesce(s.uses >= s.max_uses, false)), "
               "count(*) FILTER (WHERE v.created_at >= "
               "  date_trunc('day', $3::timestamptz AT TIME ZONE $4) AT TIME ZONE $4) "
               "FROM visitors v LEFT JOIN pass_states s ON s.visitor_id = v.id "
               "WHERE v.property_id = $1 AND v.host_user_id = $2");
  pool.prepare("visitors_property_context",
               "SELECT name, time_zone, allow_visitor_access FROM property_rules WHERE id = $1");
  pool.prepare("visitors_inviter_name", "SELECT display_name FROM person_names WHERE id = $1");
  pool.prepare("visitors_insert",
               "INSERT INTO visitors (property_id, host_user_id, created_by, name, phone, email, "
               "access, visitor_user_id, starts_at, ends_at, kind, schedule) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13::jsonb) RETURNING id, "
               "to_char(starts_at AT TIME ZONE $11, 'Dy DD Mon HH24:MI') || ' to ' || "
               "to_char(ends_at AT TIME ZONE $11, CASE WHEN (starts_at AT TIME ZONE $11)::date "
               "= (ends_at AT TIME ZONE $11)::date THEN 'HH24:MI' "
               "ELSE 'Dy DD Mon HH24:MI' END)");
  pool.prepare("visitors_get", "SELECT " + kColumns +
                                   ", v.host_user_id FROM visitors v "
                                   "JOIN pass_states p ON p.visitor_id = v.id WHERE v.id = $1");
  pool.prepare("visitors_list_host_first", list_sql("host_user_id", false));
  pool.prepare("visitors_list_host_after", list_sql("host_user_id", true));
  pool.prepare("visitors_list_property_first", list_sql("property_id", false));
  pool.prepare("visitors_list_property_after", list_sql("property_id", true));
}

void use_on_the_io_threads(db::AsyncDatabase& database) {
  // A resident's own list is read on the I/O thread, without blocking it.
  database.use("visitors_list_host_first");
  database.use("visitors_list_host_after");
}

std::optional<ResidentContext> resident_context(pqxx::transaction_base& tx,
                                                const std::string& user_id,
                                                const std::string& property_id) {
  const auto rows = tx.exec_prepared("visitors_resident_context", user_id, property_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return ResidentContext{row[0].as<std::string>(),
                         row[1].as<std::string>(),
                         row[2].as<std::string>(),
                         row[3].as<bool>(),
                         row[4].as<int>(),
                         row[5].as<std::string>(),
                         {db::optional_of<int>(row[6]), db::optional_of<int>(row[7])}};
}

void lock_host(pqxx::transaction_base& tx, const std::string& property_id,
               const std::string& user_id) {
  tx.exec_prepared("visitors_lock_host", property_id, user_id);
}

rules::HostedPasses hosted_passes(pqxx::transaction_base& tx, const std::string& property_id,
                                  const std::string& user_id, common::TimePoint now,
                                  const std::string& time_zone) {
  const auto row = tx.exec_prepared1("visitors_hosted_passes", property_id, user_id,
                                     common::to_sql_timestamp(now), time_zone);
  return {row[0].as<int>(), row[1].as<int>()};
}

std::optional<PropertyContext> property_context(pqxx::transaction_base& tx,
                                                const std::string& property_id) {
  const auto rows = tx.exec_prepared("visitors_property_context", property_id);
  if (rows.empty()) return std::nullopt;
  return PropertyContext{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                         rows[0][2].as<bool>()};
}

std::string person_name(pqxx::transaction_base& tx, const std::string& user_id) {
  return tx.exec_prepared1("visitors_inviter_name", user_id)[0].as<std::string>();
}

Inserted insert(pqxx::transaction_base& tx, const NewVisitor& row, const NewVisit& visit,
                const std::string& time_zone) {
  const auto inserted = tx.exec_prepared1(
      "visitors_insert", row.property_id, row.host_user_id, row.created_by, visit.name, visit.phone,
      visit.email, row.access, row.visitor_user_id, common::to_sql_timestamp(visit.starts_at),
      common::to_sql_timestamp(visit.ends_at), time_zone, std::string(kind_name(visit.kind)),
      visit.schedule ? std::optional(schedule_json(*visit.schedule)) : std::nullopt);
  return {inserted[0].as<std::string>(), inserted[1].as<std::string>()};
}

std::optional<Stored> find(pqxx::transaction_base& tx, const std::string& visitor_id,
                           common::TimePoint now) {
  const auto rows = tx.exec_prepared("visitors_get", visitor_id, common::to_sql_timestamp(now));
  if (rows.empty()) return std::nullopt;
  return Stored{visitor_from(rows[0]), text_or_null(rows[0][kHostUserId])};
}

std::vector<Visitor> list_at_property(pqxx::transaction_base& tx, const std::string& property_id,
                                      common::TimePoint now, const VisitorQuery& query) {
  const auto at = common::to_sql_timestamp(now);
  if (!query.after) {
    return visitors_from(
        tx.exec_prepared("visitors_list_property_first", property_id, at, query.limit + 1));
  }
  return visitors_from(tx.exec_prepared("visitors_list_property_after", property_id, at,
                                        query.after->time, query.after->id, query.limit + 1));
}

boost::asio::awaitable<std::vector<Visitor>> list_hosted_by(db::AsyncDatabase& database,
                                                            const std::string& user_id,
                                                            common::TimePoint now,
                                                            const VisitorQuery& query) {
  const auto at = common::to_sql_timestamp(now);
  // (Two statements, not one with a conditional co_await: GCC 12 destroys the
  // result of a co_await inside ?: too early.)
  db::Rows rows;
  if (query.after) {
    rows = co_await database.run("visitors_list_host_after", user_id, at, query.after->time,
                                 query.after->id, query.limit + 1);
  } else {
    rows = co_await database.run("visitors_list_host_first", user_id, at, query.limit + 1);
  }
  co_return visitors_from(rows);
}

Denial insert_denial(pqxx::transaction_base& tx, const std::string& property_id,
                     const NewDenial& denial, const std::string& created_by,
                     const MatchKeys& keys) {
  return denial_from(tx.exec_prepared1("visitors_denial_insert", property_id, denial.name,
                                       denial.phone, denial.email, denial.reason, created_by,
                                       keys.name, keys.email));
}

std::vector<UnkeyedDenial> unkeyed_denials(pqxx::transaction_base& tx) {
  std::vector<UnkeyedDenial> found;
  for (const auto& row : tx.exec_prepared("visitors_denials_unkeyed")) {
    found.push_back({row["id"].as<std::string>(), db::optional_of<std::string>(row["name"]),
                     db::optional_of<std::string>(row["email"])});
  }
  return found;
}

void set_keys(pqxx::transaction_base& tx, const std::string& denial_id, const MatchKeys& keys) {
  tx.exec_prepared("visitors_denial_keyed", denial_id, keys.name, keys.email);
}

Refusal count_refusal(pqxx::transaction_base& tx, const std::string& denial_id) {
  const auto rows = tx.exec_prepared("visitors_denial_refused", denial_id);
  if (rows.empty()) return {};
  return {rows[0]["tell"].as<bool>(), rows[0]["refusals"].as<int>()};
}

std::vector<OpenVisit> open_visits(pqxx::transaction_base& tx, const std::string& property_id,
                                   common::TimePoint now) {
  std::vector<OpenVisit> found;
  for (const auto& row :
       tx.exec_prepared("visitors_open_at", property_id, common::to_sql_timestamp(now))) {
    found.push_back({row["id"].as<std::string>(), row["name"].as<std::string>(),
                     db::optional_of<std::string>(row["phone"]),
                     db::optional_of<std::string>(row["email"]),
                     kind_named(row["kind"].as<std::string>()).value_or(Kind::window)});
  }
  return found;
}

std::vector<Denial> denials(pqxx::transaction_base& tx, const std::string& property_id,
                            const DenialQuery& query) {
  if (!query.after) {
    return denials_from(tx.exec_prepared("visitors_denials_first", property_id, query.limit + 1));
  }
  return denials_from(tx.exec_prepared("visitors_denials_after", property_id, query.after->time,
                                       query.after->id, query.limit + 1));
}

bool delete_denial(pqxx::transaction_base& tx, const std::string& property_id,
                   const std::string& denial_id) {
  return !tx.exec_prepared("visitors_denial_delete", property_id, denial_id).empty();
}

std::optional<Denial> denial_matching(pqxx::transaction_base& tx, const std::string& property_id,
                                      const MatchKeys& keys,
                                      const std::optional<std::string>& phone) {
  const auto rows =
      tx.exec_prepared("visitors_denial_match", property_id, keys.name, phone, keys.email);
  if (rows.empty()) return std::nullopt;
  return denial_from(rows[0]);
}

}  // namespace frontdoor::visitors::store
