#include "frontdoor/audit/audit.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::audit {

AuditTrail::AuditTrail(db::Pool& pool) : pool_(pool) {
  // The one INSERT is the audit_record function (migrations/0010), which the
  // outbox's dead letters call too.
  pool_.prepare("audit_record",
                "SELECT audit_record(NULLIF($1, '')::uuid, NULLIF($2, '')::uuid, $3, $4, $5, $6, "
                "$7::jsonb)");
  // Newest first; the cursor is the last seq seen.
  pool_.prepare("audit_list",
                "SELECT seq, id, actor, action, subject_type, subject_id, details::text, "
                "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                "FROM audit_events WHERE property_id = $1 AND ($2::bigint IS NULL OR seq < $2) "
                "ORDER BY seq DESC LIMIT $3");
}

void AuditTrail::record(pqxx::work& tx, const auth::Principal& actor,
                        const AuditEvent& event) const {
  tx.exec_prepared("audit_record", event.property_id, actor.user_id, actor.actor(), event.action,
                   event.subject_type, event.subject_id, event.details.dump());
}

AuditPage AuditTrail::list(const auth::Principal& viewer, const std::string& property_id,
                           const AuditQuery& query) const {
  auth::Policy::require(viewer, auth::Action::view_audit, property_id);
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("audit_list", property_id, query.after, query.limit + 1);
  });
  std::vector<AuditEntry> entries;
  for (const auto& row : rows) {
    entries.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(),
                       row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<std::string>(),
                       row[5].is_null() ? "" : row[5].as<std::string>(), row[6].as<std::string>(),
                       row[7].as<std::string>()});
  }
  return common::keyset_page<std::int64_t>(std::move(entries), query.limit,
                                           [](const AuditEntry& entry) { return entry.seq; });
}

}  // namespace frontdoor::audit
