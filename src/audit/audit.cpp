#include "frontdoor/audit/audit.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"

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

void AuditTrail::add_routes(http::Router& router, const auth::Authenticator& authenticator) {
  router.add("GET", "/v1/properties/{pid}/audit", [this, &authenticator](http::Request& request) {
    const auto principal = authenticator.require_user(request);
    const auto property_id = http::uuid_param(request, "pid");
    auth::Policy::require(principal, auth::Action::view_audit, property_id);
    const auto page = http::page_request(request);
    std::optional<std::int64_t> after;
    if (auto parts = http::cursor_parts(page, {http::CursorPart::integer})) {
      after = std::stoll((*parts)[0]);
    }
    auto rows = pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return tx.exec_prepared("audit_list", property_id, after, page.limit + 1);
    });
    nlohmann::json items = nlohmann::json::array();
    std::optional<nlohmann::json> next;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (static_cast<int>(i) == page.limit) {
        next = nlohmann::json::array({rows[i - 1][0].as<std::int64_t>()});
        break;
      }
      const auto& row = rows[i];
      items.push_back({{"id", row[1].as<std::string>()},
                       {"actor", row[2].as<std::string>()},
                       {"action", row[3].as<std::string>()},
                       {"subject_type", row[4].as<std::string>()},
                       {"subject_id", row[5].is_null() ? "" : row[5].as<std::string>()},
                       {"details", nlohmann::json::parse(row[6].as<std::string>())},
                       {"at", row[7].as<std::string>()}});
    }
    return http::page_response(std::move(items), next);
  });
}

}  // namespace frontdoor::audit
