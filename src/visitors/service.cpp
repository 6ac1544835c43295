#include "frontdoor/visitors/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/async.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/json_writer.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/notify/messages.hpp"
#include "store.hpp"

namespace frontdoor::visitors {
namespace {

using auth::Action;
using auth::Policy;
using common::ApiError;

// BMX keychains last at most a year; a visit that ended is no visit.
constexpr auto kLongestVisit = std::chrono::hours(24 * 365);
// Clocks differ a little: a start a few minutes ago still counts as "now".
constexpr auto kStartSlack = std::chrono::minutes(5);

nlohmann::json visitor_json(const pqxx::row& row) { return to_json(store::visitor_from(row)); }

}  // namespace

// Keys in ascending order (the writer's rule, so that this text is what
// nlohmann would have written for the same object).
void write_json(http::JsonWriter& out, const Visitor& visitor) {
  out.begin_object()
      .field("access", visitor.access)
      .field("arrived_at", visitor.arrived_at)
      .field("created_at", visitor.created_at)
      .field("email", visitor.email)
      .field("ends_at", visitor.ends_at)
      .field("id", visitor.id)
      .field("name", visitor.name)
      .key("pass")
      .begin_object();
  if (visitor.pass.failure_code) {
    out.field("failure_code", visitor.pass.failure_code)
        .field("failure_reason", visitor.pass.failure_reason);
  }
  out.field("status", visitor.pass.status)
      .end_object()
      .field("phone", visitor.phone)
      .field("property_id", visitor.property_id)
      .field("starts_at", visitor.starts_at)
      .field("status", visitor.status)
      .end_object();
}

nlohmann::json to_json(const Visitor& visitor) {
  http::JsonWriter out;
  write_json(out, visitor);
  return nlohmann::json::parse(out.text());
}

VisitorsService::VisitorsService(db::Pool& pool, db::AsyncDatabase& database,
                                 auth::AuthService& accounts, bmx::BmxService& bmx,
                                 const passes::PassesService& passes, const notify::Outbox& outbox,
                                 const audit::AuditTrail& audit, const common::Clock& clock)
    : pool_(pool),
      database_(database),
      accounts_(accounts),
      bmx_(bmx),
      passes_(passes),
      outbox_(outbox),
      audit_(audit),
      clock_(clock) {
  store::prepare(pool_);
  store::use_on_the_io_threads(database_);
}

void VisitorsService::check_window(const NewVisit& visit) const {
  std::vector<common::FieldError> errors;
  if (visit.ends_at <= visit.starts_at) {
    errors.push_back({"ends_at", "before_start", "Must be after starts_at."});
  } else if (visit.ends_at - visit.starts_at > kLongestVisit) {
    errors.push_back({"ends_at", "too_long", "A visit lasts at most a year."});
  }
  if (visit.ends_at <= clock_.now()) {
    errors.push_back({"ends_at", "in_the_past", "Must be in the future."});
  }
  if (visit.starts_at < clock_.now() - kStartSlack) {
    errors.push_back({"starts_at", "in_the_past", "Must be now or later."});
  }
  if (!errors.empty()) throw ApiError::validation(std::move(errors));
}

std::pair<std::string, bool> VisitorsService::visitor_account(pqxx::work& tx, const NewVisit& visit,
                                                              const std::string& property_id) {
  auto account = accounts_.ensure_user(tx, *visit.email, visit.name, visit.phone);
  accounts_.grant_role(tx, account.first, auth::Role::visitor, property_id);
  return account;
}

void VisitorsService::invite(pqxx::work& tx, const std::string& visitor_id,
                             const std::string& user_id, bool has_password, const NewVisit& visit,
                             const std::string& inviter, const std::string& property_name,
                             const std::string& window, const std::string& property_id) {
  // Someone who already has a password is not sent a way to set a new one.
  const auto link = has_password ? std::string() : accounts_.activation_link(tx, user_id);
  const auto email = notify::visitor_invite_email(visit.name, inviter, property_name, window, link);
  outbox_.enqueue(tx, notify::email_message("visitor-invite:" + visitor_id, *visit.email,
                                            email.subject, email.text, email.html, property_id));
}

nlohmann::json VisitorsService::create_for_resident(const auth::Principal& actor,
                                                    const NewVisit& visit) {
  // Where the visitor comes to: the named residency, or the resident's only one.
  const auto home = Policy::resident_property(actor, visit.property_id);
  if (visit.access == "property_wide" && !visit.email) {
    throw ApiError::unprocessable("email_required",
                                  "Property-wide access needs the visitor's e-mail address: "
                                  "they get an account to log in with.",
                                  {{"email", "required", "Required for property-wide access."}});
  }
  check_window(visit);
  bool link_needed = false;
  auto created = pool_.run([&](pqxx::connection& connection) -> nlohmann::json {
    pqxx::work tx(connection);
    auto context = tx.exec_prepared("visitors_resident_context", actor.user_id, home);
    if (context.empty()) throw ApiError::forbidden("You do not live at a property any more.");
    const auto& row = context[0];
    const auto property_id = row[0].as<std::string>();
    const auto property_name = row[1].as<std::string>();
    const auto time_zone = row[2].as<std::string>();
    // The property's settings as they are now, at creation.
    if (!row[3].as<bool>()) {
      throw ApiError(403, "visitor_access_disabled", "Visitor access is off",
                     "This property does not allow visitors at the moment.");
    }
    const auto max_hours = row[4].as<int>();
    if (visit.access == "property_only" &&
        visit.ends_at - visit.starts_at > std::chrono::hours(max_hours)) {
      throw ApiError::unprocessable(
          "duration_exceeds_limit",
          "A property-only visit may last at most " + std::to_string(max_hours) +
              " hours at this property.",
          {{"ends_at", "duration_exceeds_limit",
            "At most " + std::to_string(max_hours) + " hours after starts_at."}});
    }
    if (!bmx_.is_linked(tx, actor.user_id, property_id)) {
      link_needed = true;
      return nullptr;
    }
    const auto host_name = row[5].as<std::string>();

    // Property-wide visitors get an account (the same one if they have one).
    std::optional<std::string> visitor_user_id;
    bool has_password = false;
    if (visit.access == "property_wide") {
      auto [user_id, password] = visitor_account(tx, visit, property_id);
      visitor_user_id = user_id;
      has_password = password;
    }
    auto inserted = tx.exec_prepared1("visitors_insert", property_id, actor.user_id, actor.user_id,
                                      visit.name, visit.phone, visit.email, visit.access,
                                      visitor_user_id, common::to_sql_timestamp(visit.starts_at),
                                      common::to_sql_timestamp(visit.ends_at), time_zone);
    const auto visitor_id = inserted[0].as<std::string>();
    const auto window = inserted[1].as<std::string>();

    passes::NewPass pass;
    pass.visitor_id = visitor_id;
    pass.property_id = property_id;
    pass.visitor_name = visit.name;
    pass.host_user_id = actor.user_id;
    pass.holder_user_id = visitor_user_id.value_or("");
    pass.host_name = host_name;
    pass.property_name = property_name;
    pass.window_text = window;
    if (visit.access == "property_only") pass.sms_to = visit.phone;
    auto pass_json = passes_.create(tx, pass);

    if (visitor_user_id) {
      invite(tx, visitor_id, *visitor_user_id, has_password, visit, host_name, property_name,
             window, property_id);
    }
    audit_.record(tx, actor,
                  {property_id,
                   "visitor.added",
                   "visitor",
                   visitor_id,
                   {{"access", visit.access}, {"by", "resident"}}});
    auto row_json =
        tx.exec_prepared1("visitors_get", visitor_id, common::to_sql_timestamp(clock_.now()));
    tx.commit();
    auto json = visitor_json(row_json);
    json["pass"] = pass_json;
    return json;
  });
  if (link_needed) {
    throw ApiError::conflict("bmx_login_required",
                             "Link your ButterflyMX account before adding visitors.")
        .with_extension("authorize_url", bmx_.authorize_url(actor.user_id, home));
  }
  return created;
}

nlohmann::json VisitorsService::create_for_property(const auth::Principal& actor,
                                                    const std::string& property_id,
                                                    const NewVisit& visit) {
  Policy::require(actor, Action::manage_visitors, property_id);
  check_window(visit);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto context = tx.exec_prepared("visitors_property_context", property_id);
    if (context.empty()) throw ApiError::not_found();
    const auto property_name = context[0][0].as<std::string>();
    const auto time_zone = context[0][1].as<std::string>();
    if (!context[0][2].as<bool>()) {
      throw ApiError(403, "visitor_access_disabled", "Visitor access is off",
                     "This property does not allow visitors at the moment.");
    }
    if (!bmx_.is_set_up(tx, property_id)) {
      throw ApiError::conflict("bmx_not_set_up",
                               "This property is not connected to ButterflyMX yet; the operator "
                               "sets it up.");
    }
    const auto inviter =
        tx.exec_prepared1("visitors_inviter_name", actor.user_id)[0].as<std::string>();
    auto [user_id, has_password] = visitor_account(tx, visit, property_id);
    auto inserted =
        tx.exec_prepared1("visitors_insert", property_id, std::optional<std::string>(),
                          actor.user_id, visit.name, visit.phone, visit.email, "property_wide",
                          user_id, common::to_sql_timestamp(visit.starts_at),
                          common::to_sql_timestamp(visit.ends_at), time_zone);
    const auto visitor_id = inserted[0].as<std::string>();
    const auto window = inserted[1].as<std::string>();

    passes::NewPass pass;
    pass.visitor_id = visitor_id;
    pass.property_id = property_id;
    pass.visitor_name = visit.name;
    pass.holder_user_id = user_id;
    pass.on_placeholder = true;
    pass.bmx_email = visit.email;
    pass.property_name = property_name;
    pass.window_text = window;
    auto pass_json = passes_.create(tx, pass);

    // BMX e-mails the QR code; frontdoor e-mails the account.
    invite(tx, visitor_id, user_id, has_password, visit, inviter + " (" + property_name + ")",
           property_name, window, property_id);
    audit_.record(tx, actor,
                  {property_id, "visitor.added", "visitor", visitor_id, {{"by", "staff"}}});
    auto row =
        tx.exec_prepared1("visitors_get", visitor_id, common::to_sql_timestamp(clock_.now()));
    tx.commit();
    auto json = visitor_json(row);
    json["pass"] = pass_json;
    return json;
  });
}

http::Response VisitorsService::list(const std::string& statement, const std::string& owner,
                                     const http::PageRequest& page) {
  const auto after = http::time_and_id_after(page);
  const auto now = common::to_sql_timestamp(clock_.now());
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    if (!after) return tx.exec_prepared(statement + "_first", owner, now, page.limit + 1);
    return tx.exec_prepared(statement + "_after", owner, now, after->time, after->id,
                            page.limit + 1);
  });
  nlohmann::json items = nlohmann::json::array();
  std::optional<nlohmann::json> next;
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < page.limit; ++i) {
    items.push_back(visitor_json(rows[i]));
    if (static_cast<int>(rows.size()) > page.limit && static_cast<int>(i) == page.limit - 1) {
      next = nlohmann::json::array({rows[i][13].as<std::string>(), rows[i][0].as<std::string>()});
    }
  }
  return http::page_response(std::move(items), next);
}

boost::asio::awaitable<Page<Visitor>> VisitorsService::list_mine(const auth::Principal& actor,
                                                                 const http::PageRequest& page) {
  if (actor.kind != auth::Principal::Kind::user) throw ApiError::forbidden();
  const auto after = http::time_and_id_after(page);
  const auto now = common::to_sql_timestamp(clock_.now());
  // (Two statements, not one with a conditional co_await: GCC 12 destroys the
  // result of a co_await inside ?: too early.)
  db::Rows rows;
  if (after) {
    rows = co_await database_.run("visitors_list_host_after", actor.user_id, now, after->time,
                                  after->id, page.limit + 1);
  } else {
    rows = co_await database_.run("visitors_list_host_first", actor.user_id, now, page.limit + 1);
  }
  Page<Visitor> result;
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < page.limit; ++i) {
    result.items.push_back(store::visitor_from(rows[i]));
  }
  if (static_cast<int>(rows.size()) > page.limit) {
    result.next = nlohmann::json::array({result.items.back().cursor, result.items.back().id});
  }
  co_return result;
}

nlohmann::json VisitorsService::get_mine(const auth::Principal& actor,
                                         const std::string& visitor_id) {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("visitors_get", visitor_id, common::to_sql_timestamp(clock_.now()));
  });
  // Someone else's visitor is nothing at all to this caller.
  if (rows.empty() || rows[0][15].is_null() || rows[0][15].as<std::string>() != actor.user_id) {
    throw ApiError::not_found();
  }
  return visitor_json(rows[0]);
}

void VisitorsService::revoke_mine(const auth::Principal& actor, const std::string& visitor_id) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows =
        tx.exec_prepared("visitors_get", visitor_id, common::to_sql_timestamp(clock_.now()));
    if (rows.empty() || rows[0][15].is_null() || rows[0][15].as<std::string>() != actor.user_id) {
      throw ApiError::not_found();
    }
    passes_.revoke(tx, actor, visitor_id);
    tx.commit();
  });
}

http::Response VisitorsService::list_property(const auth::Principal& actor,
                                              const std::string& property_id,
                                              const http::PageRequest& page) {
  Policy::require(actor, Action::manage_visitors, property_id);
  return list("visitors_list_property", property_id, page);
}

void VisitorsService::revoke_at_property(const auth::Principal& actor,
                                         const std::string& property_id,
                                         const std::string& visitor_id) {
  Policy::require(actor, Action::manage_visitors, property_id);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows =
        tx.exec_prepared("visitors_get", visitor_id, common::to_sql_timestamp(clock_.now()));
    if (rows.empty() || rows[0][14].as<std::string>() != property_id) throw ApiError::not_found();
    passes_.revoke(tx, actor, visitor_id);
    tx.commit();
  });
}

}  // namespace frontdoor::visitors
