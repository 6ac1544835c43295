#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"

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
  std::int64_t seq = 0;  // the trail's order, newest highest; the list's cursor
  std::string id;
  std::string actor;
  std::string action;
  std::string subject_type;
  std::string subject_id;  // empty when the event has no subject
  std::string details;     // JSON text, as recorded
  common::TimePoint at;
};

// Newest first, by seq: a page starts after (older than) the event numbered `after`.
using AuditQuery = common::PageQuery<std::int64_t>;
using AuditPage = common::Page<AuditEntry, std::int64_t>;

// The audit trail: written in the transaction of the change it records.
class AuditTrail {
 public:
  explicit AuditTrail(db::Pool& pool);
  void record(pqxx::work& tx, const auth::Principal& actor, const AuditEvent& event) const;
  // A property's trail for someone allowed to see it (403 otherwise).
  AuditPage list(const auth::Principal& viewer, const std::string& property_id,
                 const AuditQuery& query) const;

 private:
  db::Pool& pool_;
};

}  // namespace frontdoor::audit
