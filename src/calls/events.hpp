#pragma once

// What follows a call's transition, in its transaction: the call's history, the
// property's audit trail, and the pushes to the phones of everyone it rang.
#include <nlohmann/json.hpp>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/calls/types.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/notify/outbox.hpp"

namespace frontdoor::calls {

class CallEvents {
 public:
  CallEvents(const notify::Outbox& outbox, const audit::AuditTrail& audit,
             const common::Clock& clock);

  // The event in the call's history and the audit trail, and the pushes it calls
  // for (rules::push_after).
  void record(pqxx::work& tx, const auth::Principal& actor, const Call& call,
              const std::string& event,
              const nlohmann::json& details = nlohmann::json::object()) const;
  // Only in the call's history (a media change is not an access decision).
  void note(pqxx::work& tx, const auth::Principal& actor, const std::string& call_id,
            const std::string& event, const nlohmann::json& details) const;
  // An answered call that frontdoor ended (time limit, move-out): the device in
  // the call hangs up and shows why.
  void hang_up_devices(pqxx::work& tx, const Call& call) const;
  // A call the clock ended: missed (it rang out) or timed out (answered too long).
  void ended_by_time(pqxx::work& tx, const Call& call) const;
  // A call nobody answered that went on to the front desk: the desk joins its
  // group and rings, and the residents' phones stop.
  void forwarded(pqxx::work& tx, const Call& call) const;

 private:
  void ring(pqxx::work& tx, const Call& call, const std::vector<std::string>& user_ids) const;
  void tell_devices(pqxx::work& tx, const Call& call, const std::vector<std::string>& user_ids,
                    const std::string& key_prefix, const std::string& type,
                    const std::string& text) const;

  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
  const common::Clock& clock_;
};

}  // namespace frontdoor::calls
