#pragma once

// The audit module's SQL (store.cpp) behind typed functions.
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::audit::store {

void prepare(db::Pool& pool);

// Appends one event, in the caller's transaction (user_id empty: no account).
void record(pqxx::transaction_base& tx, const AuditEvent& event, const std::string& user_id,
            const std::string& actor);

// Up to query.limit + 1 events of the property, newest first.
std::vector<AuditEntry> list(pqxx::transaction_base& tx, const std::string& property_id,
                             const AuditQuery& query);

}  // namespace frontdoor::audit::store
