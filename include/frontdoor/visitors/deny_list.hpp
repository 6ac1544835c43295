#pragma once

#include <optional>
#include <pqxx/transaction>
#include <string>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/notify/outbox.hpp"
#include "frontdoor/passes/service.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::visitors {

// A property's deny list (docs/api.md, "Pass kinds, limits and the deny list"):
// managers and admins write it, staff read it, and every new visitor of the
// property is checked against it, whoever invites them. Names and e-mails are
// compared by their match keys (common/matching.hpp), phones in E.164.
class DenyList {
 public:
  DenyList(db::Pool& pool, auth::AuthService& accounts, const passes::PassesService& passes,
           const notify::Outbox& outbox, const audit::AuditTrail& audit,
           const common::Clock& clock);

  // The entry, and in the same transaction every pass of a visit that is not
  // over and that it matches is revoked (and deleted at BMX): a person the
  // managers ban is out at once, not when their pass ends. The answer lists them.
  Denial add(const auth::Principal& actor, const std::string& property_id, const NewDenial& denial);
  DenialPage list(const auth::Principal& actor, const std::string& property_id,
                  const DenialQuery& query);
  void remove(const auth::Principal& actor, const std::string& property_id,
              const std::string& denial_id);

  // In the create's transaction: the entry the visitor matches, if any (the
  // phone in E.164, the mailbox, and the folded name when one was given).
  std::optional<Denial> match(pqxx::transaction_base& tx, const std::string& property_id,
                              const NewVisit& visit) const;
  // A visitor refused for `denial`, recorded in a transaction of its own (the
  // create's rolls back): visitor.denied in the audit trail, and an e-mail to
  // each manager at most once an hour per entry, counting the refusals since
  // the last one (so that a resident cannot flood them). Then the 422 for the
  // caller: the reason for staff only.
  common::ApiError refuse(const auth::Principal& actor, const std::string& property_id,
                          const std::string& property_name, const Denial& denial,
                          const NewVisit& visit, bool by_staff) const;
  // Keys the entries an older version stored without them; run at start and by
  // housekeeping. Returns how many were keyed.
  int key_unkeyed_entries();

 private:
  db::Pool& pool_;
  auth::AuthService& accounts_;
  const passes::PassesService& passes_;
  const common::Clock& clock_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
};

}  // namespace frontdoor::visitors
