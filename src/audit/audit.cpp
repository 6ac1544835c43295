#include "frontdoor/audit/audit.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/db/pool.hpp"

namespace frontdoor::audit {

AuditTrail::AuditTrail(db::Pool& pool) : pool_(pool) {
  pool_.prepare("audit_record",
                "INSERT INTO audit_events (property_id, actor_user_id, actor, action, "
                "subject_type, subject_id, details) "
                "VALUES (NULLIF($1, '')::uuid, NULLIF($2, '')::uuid, $3, $4, $5, $6, $7::jsonb)");
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
                           std::optional<std::int64_t> after, int limit) const {
  auth::Policy::require(viewer, auth::Action::view_audit, property_id);
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("audit_list", property_id, after, limit + 1);
  });
  AuditPage page;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) == limit) {
      page.next_after = rows[i - 1][0].as<std::int64_t>();
      break;
    }
    const auto& row = rows[i];
    page.items.push_back({row[1].as<std::string>(), row[2].as<std::string>(),
                          row[3].as<std::string>(), row[4].as<std::string>(),
                          row[5].is_null() ? "" : row[5].as<std::string>(),
                          row[6].as<std::string>(), row[7].as<std::string>()});
  }
  return page;
}

}  // namespace frontdoor::audit
