#pragma once

#include <functional>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/people/types.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::people {

// Runs inside the move-out transaction: later modules revoke passes and unlink BMX here.
using MoveOutHook =
    std::function<void(pqxx::work& tx, const auth::Principal& actor, const MovedOut& resident)>;

// Residencies (move-in, move-out, listing) and the devices people register.
class PeopleService {
 public:
  PeopleService(db::Pool& pool, auth::AuthService& accounts, const audit::AuditTrail& audit);

  void on_move_out(MoveOutHook hook);

  // The new residency, as the manager sent it (nothing of an existing account).
  Resident move_in(const auth::Principal& actor, const std::string& property_id,
                   const MoveIn& resident);
  MovedOut move_out(const auth::Principal& actor, const std::string& residency_id);
  ResidentPage list_residents(const auth::Principal& actor, const std::string& property_id,
                              const ResidentQuery& query);

  // Support's view of one resident: why didn't my phone ring?
  Diagnostics diagnostics(const auth::Principal& actor, const std::string& residency_id);

  // The resident's own directory entry at one of their properties: listed or
  // not, and the name the panel shows.
  DirectoryEntry update_directory_entry(const auth::Principal& actor,
                                        const DirectoryChange& change);

  RegisteredDevice register_device(const auth::Principal& actor, const Device& device);
  void remove_device(const auth::Principal& actor, const std::string& device_id);

 private:
  db::Pool& pool_;
  auth::AuthService& accounts_;
  const audit::AuditTrail& audit_;
  std::vector<MoveOutHook> move_out_hooks_;
};

}  // namespace frontdoor::people
