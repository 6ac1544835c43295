#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/http/pagination.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::people {

struct MoveIn {
  std::string unit_id;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string phone;
  bool directory_listed = true;
};

struct MovedOut {
  std::string residency_id;
  std::string user_id;
  std::string property_id;
};

// Runs inside the move-out transaction: later modules revoke passes and unlink BMX here.
using MoveOutHook =
    std::function<void(pqxx::work& tx, const auth::Principal& actor, const MovedOut& resident)>;

// Adds one section to a resident's diagnostics (the BMX link, calls, passes),
// read in the same transaction as the rest.
using DiagnosticsSection = std::function<nlohmann::json(pqxx::work& tx, const MovedOut& resident)>;

struct Device {
  std::string platform;
  std::string push_token;
  std::optional<std::string> voip_token;
  bool bmx_app_installed = false;
};

// Residencies (move-in, move-out, listing) and the devices people register.
class PeopleService {
 public:
  PeopleService(db::Pool& pool, auth::AuthService& accounts, const audit::AuditTrail& audit);

  void on_move_out(MoveOutHook hook);
  void add_diagnostics(std::string name, DiagnosticsSection section);

  nlohmann::json move_in(const auth::Principal& actor, const std::string& property_id,
                         const MoveIn& resident);
  nlohmann::json move_out(const auth::Principal& actor, const std::string& residency_id);
  http::Response list_residents(const auth::Principal& actor, const std::string& property_id,
                                const std::optional<std::string>& name_prefix,
                                const http::PageRequest& page);

  // Support's view of one resident: why didn't my phone ring?
  nlohmann::json diagnostics(const auth::Principal& actor, const std::string& residency_id);

  // The resident's own directory entry at one of their properties (`property`, or
  // their only one): listed or not, and the name the panel shows (an empty
  // optional leaves it; a null resets it to first and last name).
  nlohmann::json update_directory_entry(const auth::Principal& actor,
                                        const std::optional<std::string>& property,
                                        std::optional<bool> listed, bool change_name,
                                        const std::optional<std::string>& display_name);

  nlohmann::json register_device(const auth::Principal& actor, const Device& device);
  void remove_device(const auth::Principal& actor, const std::string& device_id);

 private:
  db::Pool& pool_;
  auth::AuthService& accounts_;
  const audit::AuditTrail& audit_;
  std::vector<MoveOutHook> move_out_hooks_;
  std::vector<std::pair<std::string, DiagnosticsSection>> diagnostics_sections_;
};

}  // namespace frontdoor::people
