#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/auth/principal.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::audit {

struct AuditEvent {
  std::string property_id;  // empty for events outside any property
  std::string action;       // "settings.changed", "resident.moved_in", ...
  std::string subject_type;
  std::string subject_id;
  nlohmann::json details = nlohmann::json::object();
};

// One event as the trail shows it.
struct AuditEntry {
  std::string id;
  std::string actor;
  std::string action;
  std::string subject_type;
  std::string subject_id;  // empty when the event has no subject
  std::string details;     // JSON text, as recorded
  std::string at;          // RFC 3339, UTC
};

// Newest first; next_after is the cursor of the following page, when there is one.
struct AuditPage {
  std::vector<AuditEntry> items;
  std::optional<std::int64_t> next_after;
};

// The audit trail: written in the transaction of the change it records.
class AuditTrail {
 public:
  explicit AuditTrail(db::Pool& pool);
  void record(pqxx::work& tx, const auth::Principal& actor, const AuditEvent& event) const;
  // A property's trail for someone allowed to see it (403 otherwise): up to
  // `limit` events older than the event numbered `after`.
  AuditPage list(const auth::Principal& viewer, const std::string& property_id,
                 std::optional<std::int64_t> after, int limit) const;

 private:
  db::Pool& pool_;
};

}  // namespace frontdoor::audit
