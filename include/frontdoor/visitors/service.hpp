#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/router.hpp"
#include "frontdoor/notify/outbox.hpp"
#include "frontdoor/passes/service.hpp"

namespace frontdoor::http {
class JsonWriter;
}

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::visitors {

struct NewVisit {
  // A resident who lives at several properties names the one the visit is to.
  std::optional<std::string> property_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string access;  // property_only, property_wide
  common::TimePoint starts_at;
  common::TimePoint ends_at;
};

// A visitor as the apps see it, with its pass.
struct Visitor {
  struct Pass {
    std::string status;  // pending, issued, failed, revoked
    std::optional<std::string> failure_code;
    std::optional<std::string> failure_reason;
  };
  std::string id;
  std::string property_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string access;
  std::string starts_at;  // RFC 3339
  std::string ends_at;
  std::string created_at;
  std::optional<std::string> arrived_at;
  std::string status;  // scheduled, active, arrived, expired, revoked
  Pass pass;
  std::string cursor;  // created_at with microseconds, for the next page
};

// The JSON the apps read for a visitor.
// A visitor as the apps see it. The list route writes it straight into the
// answer; the other routes take it as a JSON value.
void write_json(http::JsonWriter& out, const Visitor& visitor);
nlohmann::json to_json(const Visitor& visitor);

// One page of a list: its items, and where the next one starts (if any).
template <typename Item>
struct Page {
  std::vector<Item> items;
  std::optional<nlohmann::json> next;
};

// Visitors of residents and of properties, with the rules of CONTRACT.md
// ("Visitors and passes"); each visit gets its pass from the passes module.
class VisitorsService {
 public:
  VisitorsService(db::Pool& pool, db::AsyncDatabase& database, auth::AuthService& accounts,
                  bmx::BmxService& bmx, const passes::PassesService& passes,
                  const notify::Outbox& outbox, const audit::AuditTrail& audit,
                  const common::Clock& clock);

  nlohmann::json create_for_resident(const auth::Principal& actor, const NewVisit& visit);
  nlohmann::json create_for_property(const auth::Principal& actor, const std::string& property_id,
                                     const NewVisit& visit);
  // The caller's own visitors, newest first: one statement on the I/O thread.
  boost::asio::awaitable<Page<Visitor>> list_mine(const auth::Principal& actor,
                                                  const http::PageRequest& page);
  nlohmann::json get_mine(const auth::Principal& actor, const std::string& visitor_id);
  void revoke_mine(const auth::Principal& actor, const std::string& visitor_id);
  http::Response list_property(const auth::Principal& actor, const std::string& property_id,
                               const http::PageRequest& page);
  void revoke_at_property(const auth::Principal& actor, const std::string& property_id,
                          const std::string& visitor_id);

 private:
  // The window rules common to both flows (times, BMX's one-year limit).
  void check_window(const NewVisit& visit) const;
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
  // statement: "visitors_list_host" or "visitors_list_property" (its _first and
  // _after forms: the first page, and a page after the cursor).
  http::Response list(const std::string& statement, const std::string& owner,
                      const http::PageRequest& page);

  db::Pool& pool_;
  db::AsyncDatabase& database_;
  auth::AuthService& accounts_;
  bmx::BmxService& bmx_;
  const passes::PassesService& passes_;
  const notify::Outbox& outbox_;
  const audit::AuditTrail& audit_;
  const common::Clock& clock_;
};

}  // namespace frontdoor::visitors
