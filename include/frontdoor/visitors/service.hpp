#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <utility>
#include <variant>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/notify/outbox.hpp"
#include "frontdoor/passes/service.hpp"
#include "frontdoor/visitors/deny_list.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::visitors {

namespace store {
struct ResidentContext;
}

// Visitors of residents and of properties, with the rules of docs/api.md
// ("Visitors and passes"); each visit gets its pass from the passes module.
class VisitorsService {
 public:
  VisitorsService(db::Pool& pool, db::AsyncDatabase& database, auth::AuthService& accounts,
                  bmx::BmxService& bmx, const passes::PassesService& passes,
                  const notify::Outbox& outbox, const audit::AuditTrail& audit,
                  const DenyList& deny_list, const common::Clock& clock);

  // The new visitor, its pass pending (with the pass page's url for a
  // property-only visitor).
  Visitor create_for_resident(const auth::Principal& actor, const NewVisit& visit);
  Visitor create_for_property(const auth::Principal& actor, const std::string& property_id,
                              const NewVisit& visit);
  // The caller's own visitors, newest first: one statement on the I/O thread.
  boost::asio::awaitable<VisitorPage> list_mine(const auth::Principal& actor,
                                                const VisitorQuery& query);
  Visitor get_mine(const auth::Principal& actor, const std::string& visitor_id);
  void revoke_mine(const auth::Principal& actor, const std::string& visitor_id);
  VisitorPage list_property(const auth::Principal& actor, const std::string& property_id,
                            const VisitorQuery& query);
  void revoke_at_property(const auth::Principal& actor, const std::string& property_id,
                          const std::string& visitor_id);

 private:
  // Where a visit is added and by whom: a resident for their home (held to the
  // property's limits, with their BMX link), or staff on the site's placeholder
  // tenant (not held to the limits they set).
  struct Setting {
    bool by_staff = false;
    std::string property_id;
    std::string property_name;
    std::string time_zone;
    std::optional<int> property_only_max_hours;    // residents only
    std::string inviter;                           // as the invitation names them
    const store::ResidentContext* home = nullptr;  // residents: their limits
  };
  // A visit the deny list refused, answered once the transaction is over.
  struct Refused {
    Denial denial;
    std::string property_id;
    std::string property_name;
    NewVisit visit;
    bool by_staff = false;
  };
  // A resident who has not linked BMX yet: told where to sign in.
  struct LinkNeeded {};
  // What one create's transaction ends in.
  using Added = std::variant<Visitor, Refused, LinkNeeded>;

  // The one create flow, in the caller's transaction (committed by the caller
  // when a visitor was added).
  Added add(pqxx::work& tx, const auth::Principal& actor, const NewVisit& asked,
            const Setting& setting);
  // The pass a new visit gets, by who added it.
  passes::NewPass new_pass(const auth::Principal& actor, const Setting& setting,
                           const NewVisit& visit, const std::string& visitor_id,
                           const std::optional<std::string>& holder,
                           const std::string& window) const;
  // The visitor added, or the refusal the caller gets (403 with the deny list's
  // neutral words, 409 bmx_login_required with the link to sign in at).
  Visitor added_or_refused(const auth::Principal& actor, Added added,
                           const std::string& property_id);
  // The visitor just added, with the pass the passes module created for it.
  Visitor added(pqxx::work& tx, const std::string& visitor_id,
                const passes::CreatedPass& pass) const;
  // The window rules common to both flows (times, BMX's one-year limit).
  void check_window(const NewVisit& visit) const;
  // The visit with its window: a weekly pass's from its schedule in the
  // property's zone (422 schedule_invalid when it has none left), checked
  // against the property-only hours limit when one is given.
  NewVisit timed(const NewVisit& visit, const std::string& time_zone,
                 std::optional<int> property_only_max_hours) const;
  // How the SMS and e-mail name the window: a weekly pass's schedule, else
  // the window as the insert wrote it.
  std::string window_text(const NewVisit& visit, const std::string& time_zone,
                          const std::string& sql_text) const;
  // 409 when the property's per-resident limits leave no room for one more pass.
  void check_limits(pqxx::work& tx, const store::ResidentContext& home,
                    const std::string& user_id) const;
  // The visitor's account (the same one if the e-mail has one) with the visitor
  // role here; returns the user id and whether it already has a password.
  std::pair<std::string, bool> visitor_account(pqxx::work& tx, const NewVisit& visit,
                                               const std::string& property_id);
  // The e-mail that says who invited them, where and when, with an activation
  // link unless they can already log in.
  void invite(pqxx::work& tx, const std::string& visitor_id, const std::string& user_id,
              bool has_password, const NewVisit& visit, const std::string& inviter,
              const std::string& property_name, const std::string& window,
              const std::string& property_id);

  db::Pool& pool_;
  db::AsyncDatabase& database_;
  auth::AuthService& accounts_;
  bmx::BmxService& bmx_;
  const passes::PassesService& passes_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
  const DenyList& deny_list_;
  const common::Clock& clock_;
};

}  // namespace frontdoor::visitors
