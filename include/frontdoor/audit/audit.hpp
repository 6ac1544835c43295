#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/http/router.hpp"

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

// The audit trail: written in the transaction of the change it records.
class AuditTrail {
 public:
  explicit AuditTrail(db::Pool& pool);
  void record(pqxx::work& tx, const auth::Principal& actor, const AuditEvent& event) const;
  void add_routes(http::Router& router, const auth::Authenticator& authenticator);

 private:
  db::Pool& pool_;
};

}  // namespace frontdoor::audit
