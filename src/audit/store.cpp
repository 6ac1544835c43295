// SQL of the audit trail. The one INSERT is the audit_record function
// (migration 0010), which the outbox's dead letters call too.
#include "store.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "frontdoor/db/read.hpp"
#include "frontdoor/db/statement.hpp"

namespace frontdoor::audit::store {
namespace {

constexpr db::Statement kRecord{"audit_record", R"sql(
  SELECT audit_record(NULLIF($1, '')::uuid, NULLIF($2, '')::uuid, $3, $4, $5, $6, $7::jsonb))sql",
                                7};
// Newest first; the cursor is the last seq seen.
constexpr db::Statement kList{"audit_list", R"sql(
  SELECT seq, id, actor, action, subject_type, subject_id, details::text AS details, created_at
  FROM audit_events WHERE property_id = $1 AND ($2::bigint IS NULL OR seq < $2)
  ORDER BY seq DESC LIMIT $3)sql",
                              3};

struct EntryRow {
  std::int64_t seq = 0;
  std::string id;
  std::string actor;
  std::string action;
  std::string subject_type;
  std::optional<std::string> subject_id;
  std::string details;
  common::TimePoint created_at;
};

}  // namespace
}  // namespace frontdoor::audit::store

template <>
struct frontdoor::db::Shape<frontdoor::audit::store::EntryRow> {
  using Row = audit::store::EntryRow;
  static constexpr auto columns = std::make_tuple(
      column("seq", &Row::seq), column("id", &Row::id), column("actor", &Row::actor),
      column("action", &Row::action), column("subject_type", &Row::subject_type),
      column("subject_id", &Row::subject_id), column("details", &Row::details),
      column("created_at", &Row::created_at));
};

namespace frontdoor::audit::store {

void prepare(db::Pool& pool) {
  pool.prepare(kRecord);
  pool.prepare(kList);
}

void record(pqxx::transaction_base& tx, const AuditEvent& event, const std::string& user_id,
            const std::string& actor) {
  db::exec(tx, kRecord, event.property_id, user_id, actor, event.action, event.subject_type,
           event.subject_id, event.details.dump());
}

std::vector<AuditEntry> list(pqxx::transaction_base& tx, const std::string& property_id,
                             const AuditQuery& query) {
  std::vector<AuditEntry> entries;
  for (auto& row :
       db::read_all<EntryRow>(db::exec(tx, kList, property_id, query.after, query.limit + 1))) {
    entries.push_back({row.seq, std::move(row.id), std::move(row.actor), std::move(row.action),
                       std::move(row.subject_type), row.subject_id.value_or(""),
                       std::move(row.details), row.created_at});
  }
  return entries;
}

}  // namespace frontdoor::audit::store
