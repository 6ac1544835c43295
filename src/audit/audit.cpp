#include "frontdoor/audit/audit.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::audit {

AuditTrail::AuditTrail(db::Pool& pool) : pool_(pool) { store::prepare(pool_); }

void AuditTrail::record(pqxx::work& tx, const auth::Principal& actor,
                        const AuditEvent& event) const {
  store::record(tx, event, actor.user_id, actor.actor());
}

AuditPage AuditTrail::list(const auth::Principal& viewer, const std::string& property_id,
                           const AuditQuery& query) const {
  auth::Policy::require(viewer, auth::Action::view_audit, property_id);
  auto entries = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::list(tx, property_id, query);
  });
  return common::keyset_page<std::int64_t>(std::move(entries), query.limit,
                                           [](const AuditEntry& entry) { return entry.seq; });
}

}  // namespace frontdoor::audit
