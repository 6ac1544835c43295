#pragma once

#include <optional>
#include <pqxx/transaction>
#include <string>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/notify/outbox.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::visitors {

// A property's deny list (CONTRACT.md, "Pass kinds, limits and the deny list"):
// managers and admins write it, staff read it, and every new visitor of the
// property is checked against it, whoever invites them.
class DenyList {
 public:
  DenyList(db::Pool& pool, auth::AuthService& accounts, const notify::Outbox& outbox,
           const audit::AuditTrail& audit);

  Denial add(const auth::Principal& actor, const std::string& property_id, const NewDenial& denial);
  DenialPage list(const auth::Principal& actor, const std::string& property_id,
                  const DenialQuery& query);
  void remove(const auth::Principal& actor, const std::string& property_id,
              const std::string& denial_id);

  // In the create's transaction: the entry the visitor matches, if any (phone
  // and e-mail exactly, as both are normalized; names without case, accents or
  // extra spaces).
  std::optional<Denial> match(pqxx::transaction_base& tx, const std::string& property_id,
                              const NewVisit& visit) const;
  // A visitor refused for `denial`, recorded in a transaction of its own (the
  // create's rolls back): visitor.denied in the audit trail and an e-mail to
  // each manager. Then the 422 for the caller: the reason for staff only.
  common::ApiError refuse(const auth::Principal& actor, const std::string& property_id,
                          const std::string& property_name, const Denial& denial,
                          const NewVisit& visit, bool by_staff) const;

 private:
  db::Pool& pool_;
  auth::AuthService& accounts_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
};

}  // namespace frontdoor::visitors
