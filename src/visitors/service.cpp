#include "frontdoor/visitors/service.hpp"

#include <pqxx/pqxx>
#include <tuple>
#include <variant>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/keyset.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/common/zone.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/notify/messages.hpp"
#include "frontdoor/visitors/rules.hpp"
#include "store.hpp"

namespace frontdoor::visitors {
namespace {

using auth::Action;
using auth::Policy;
using common::ApiError;

ApiError visitor_access_disabled() {
  return {403, "visitor_access_disabled", "Visitor access is off",
          "This property does not allow visitors at the moment."};
}

}  // namespace

VisitorsService::VisitorsService(db::Pool& pool, db::AsyncDatabase& database,
                                 auth::AuthService& accounts, bmx::BmxService& bmx,
                                 const passes::PassesService& passes, const notify::Outbox& outbox,
                                 const audit::AuditTrail& audit, const DenyList& deny_list,
                                 const common::Clock& clock)
    : pool_(pool),
      database_(database),
      accounts_(accounts),
      bmx_(bmx),
      passes_(passes),
      outbox_(outbox),
      audit_(audit),
      deny_list_(deny_list),
      clock_(clock) {
  store::prepare(pool_);
  store::use_on_the_io_threads(database_);
}

void VisitorsService::check_window(const NewVisit& visit) const {
  // A weekly pass's window comes from its schedule, in the property's zone.
  if (visit.kind == Kind::recurring) return;
  auto errors = rules::window_problems(visit, clock_.now());
  if (!errors.empty()) throw ApiError::validation(std::move(errors));
}

NewVisit VisitorsService::timed(const NewVisit& visit, const std::string& time_zone,
                                std::optional<int> property_only_max_hours) const {
  if (visit.kind != Kind::recurring) {
    if (property_only_max_hours) {
      if (auto too_long = rules::length_refusal(visit, *property_only_max_hours)) throw *too_long;
    }
    return visit;
  }
  const auto now = clock_.now();
  auto problems =
      rules::schedule_problems(*visit.schedule, common::local_moment(time_zone, now).day);
  if (!problems.empty()) throw rules::schedule_refusal(std::move(problems));
  if (property_only_max_hours) {
    if (auto too_long = rules::daily_length_refusal(visit, *property_only_max_hours)) {
      throw *too_long;
    }
  }
  const auto span = rules::schedule_span(*visit.schedule, time_zone);
  if (!span) {
    throw rules::schedule_refusal(
        {{"schedule.from", "skipped_by_clock_change",
          "Every window of this schedule falls in the hour the clocks skip in " + time_zone +
              " when summer time starts, so it would never open. Choose other hours or days."}});
  }
  if (span->ends_at <= now) {
    throw rules::schedule_refusal(
        {{"schedule.ends_on", "in_the_past", "The schedule's last window is already over."}});
  }
  auto timed = visit;
  timed.starts_at = span->starts_at;
  timed.ends_at = span->ends_at;
  return timed;
}

std::string VisitorsService::window_text(const NewVisit& visit, const std::string& time_zone,
                                         const std::string& sql_text) const {
  if (!visit.schedule) return sql_text;
  return rules::schedule_text(*visit.schedule, common::local_moment(time_zone, clock_.now()).day);
}

void VisitorsService::check_limits(pqxx::work& tx, const store::ResidentContext& home,
                                   const std::string& user_id) const {
  if (!home.limits.any()) return;
  // Held until commit: a concurrent create by the same resident waits here, then
  // counts this one.
  store::lock_host(tx, home.property_id, user_id);
  const auto hosted =
      store::hosted_passes(tx, home.property_id, user_id, clock_.now(), home.time_zone);
  if (auto refused = rules::limit_refusal(home.limits, hosted)) throw *refused;
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

Visitor VisitorsService::create_for_resident(const auth::Principal& actor, const NewVisit& asked) {
  // Where the visitor comes to: the named residency, or the resident's only one.
  const auto home = Policy::resident_property(actor, asked.property_id);
  if (asked.access == Access::property_wide && !asked.email) {
    throw ApiError::unprocessable("email_required",
                                  "Property-wide access needs the visitor's e-mail address: "
                                  "they get an account to log in with.",
                                  {{"email", "required", "Required for property-wide access."}});
  }
  check_window(asked);
  auto added = pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    // The property's settings as they are now, at creation.
    const auto context = store::resident_context(tx, actor.user_id, home);
    if (!context) throw ApiError::forbidden("You do not live at a property any more.");
    if (!context->visitors_allowed) throw visitor_access_disabled();
    const Setting setting{false,
                          context->property_id,
                          context->property_name,
                          context->time_zone,
                          context->property_only_max_hours,
                          context->host_name,
                          &*context};
    auto result = add(tx, actor, asked, setting);
    if (std::holds_alternative<Visitor>(result)) tx.commit();
    return result;
  });
  return added_or_refused(actor, std::move(added), home);
}

Visitor VisitorsService::create_for_property(const auth::Principal& actor,
                                             const std::string& property_id,
                                             const NewVisit& asked) {
  Policy::require(actor, Action::manage_visitors, property_id);
  check_window(asked);
  auto added = pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto property = store::property_context(tx, property_id);
    if (!property) throw ApiError::not_found();
    if (!property->visitors_allowed) throw visitor_access_disabled();
    if (!bmx_.is_set_up(tx, property_id)) {
      throw ApiError::conflict("bmx_not_set_up",
                               "This property is not connected to ButterflyMX yet; the operator "
                               "sets it up.");
    }
    const Setting setting{
        true,           property_id,
        property->name, property->time_zone,
        std::nullopt,   store::person_name(tx, actor.user_id) + " (" + property->name + ")",
        nullptr};
    auto result = add(tx, actor, asked, setting);
    if (std::holds_alternative<Visitor>(result)) tx.commit();
    return result;
  });
  return added_or_refused(actor, std::move(added), property_id);
}

VisitorsService::Added VisitorsService::add(pqxx::work& tx, const auth::Principal& actor,
                                            const NewVisit& asked, const Setting& setting) {
  const auto visit = timed(asked, setting.time_zone, setting.property_only_max_hours);
  if (auto denial = deny_list_.match(tx, setting.property_id, visit)) {
    return Refused{*denial, setting.property_id, setting.property_name, visit, setting.by_staff};
  }
  if (setting.home) {
    if (!bmx_.is_linked(tx, actor.user_id, setting.property_id)) return LinkNeeded{};
    check_limits(tx, *setting.home, actor.user_id);
  }
  // Visitors get an account (the same one if they have one) when a resident
  // gives property-wide access, and from staff unless they are a courier, who
  // gets the pass page by SMS.
  const bool account =
      setting.by_staff ? visit.kind != Kind::delivery : visit.access == Access::property_wide;
  std::optional<std::string> user_id;
  bool has_password = false;
  if (account) std::tie(user_id, has_password) = visitor_account(tx, visit, setting.property_id);
  const auto host = setting.by_staff ? std::nullopt : std::optional(actor.user_id);
  const auto inserted =
      store::insert(tx, {setting.property_id, host, actor.user_id, visit.access, user_id}, visit,
                    setting.time_zone);
  const auto window = window_text(visit, setting.time_zone, inserted.window_text);
  const auto created_pass =
      passes_.create(tx, new_pass(actor, setting, visit, inserted.id, user_id, window));
  if (user_id) {
    invite(tx, inserted.id, *user_id, has_password, visit, setting.inviter, setting.property_name,
           window, setting.property_id);
  }
  nlohmann::json details = {{"kind", std::string(common::name_of(visit.kind))},
                            {"by", setting.by_staff ? "staff" : "resident"}};
  if (!setting.by_staff) details["access"] = std::string(common::name_of(visit.access));
  audit_.record(tx, actor, {setting.property_id, "visitor.added", "visitor", inserted.id, details});
  return added(tx, inserted.id, created_pass);
}

passes::NewPass VisitorsService::new_pass(const auth::Principal& actor, const Setting& setting,
                                          const NewVisit& visit, const std::string& visitor_id,
                                          const std::optional<std::string>& holder,
                                          const std::string& window) const {
  passes::NewPass pass;
  pass.visitor_id = visitor_id;
  pass.property_id = setting.property_id;
  pass.visitor_name = visit.name;
  pass.max_uses = rules::uses_allowed(visit);
  pass.holder_user_id = holder.value_or("");
  pass.property_name = setting.property_name;
  pass.window_text = window;
  if (!setting.by_staff) {
    pass.host_user_id = actor.user_id;
    pass.host_name = setting.inviter;
    if (visit.access == Access::property_only) pass.sms_to = visit.phone;
  } else if (visit.kind == Kind::delivery) {
    // A courier gets the pass page by SMS, in the property's name.
    pass.on_placeholder = true;
    pass.sms_to = visit.phone;
    pass.host_name = setting.property_name;
  } else {
    // Everyone else staff add: BMX e-mails them the QR code.
    pass.on_placeholder = true;
    pass.bmx_email = visit.email;
  }
  return pass;
}

Visitor VisitorsService::added_or_refused(const auth::Principal& actor, Added added,
                                          const std::string& property_id) {
  if (auto* visitor = std::get_if<Visitor>(&added)) return std::move(*visitor);
  if (auto* refused = std::get_if<Refused>(&added)) {
    throw deny_list_.refuse(actor, refused->property_id, refused->property_name, refused->denial,
                            refused->visit, refused->by_staff);
  }
  throw ApiError::conflict("bmx_login_required",
                           "Link your ButterflyMX account before adding visitors.")
      .with_extension("authorize_url", bmx_.authorize_url(actor.user_id, property_id));
}

Visitor VisitorsService::added(pqxx::work& tx, const std::string& visitor_id,
                               const passes::CreatedPass& pass) const {
  auto stored = store::find(tx, visitor_id, clock_.now());
  if (!stored) throw std::logic_error("a visitor just inserted is not there: " + visitor_id);
  // The answer that created the pass is the only one to carry its page's link.
  const auto status = common::named<PassStatus>(pass.status);
  if (!status) throw std::logic_error("the passes module answered a status unknown here");
  stored->visitor.pass.status = *status;
  stored->visitor.pass.url = pass.url;
  return stored->visitor;
}

namespace {

common::TimeAndId cursor_of(const Visitor& visitor) {
  return {common::to_sql_timestamp(visitor.created_at), visitor.id};
}

// Someone else's visitor is nothing at all to this caller.
Visitor hosted_by(const std::optional<store::Stored>& stored, const std::string& user_id) {
  if (!stored || stored->host_user_id != user_id) throw ApiError::not_found();
  return stored->visitor;
}

}  // namespace

boost::asio::awaitable<VisitorPage> VisitorsService::list_mine(const auth::Principal& actor,
                                                               const VisitorQuery& query) {
  if (actor.kind != auth::Principal::Kind::user) throw ApiError::forbidden();
  auto fetched = co_await store::list_hosted_by(database_, actor.user_id, clock_.now(), query);
  co_return common::keyset_page<common::TimeAndId>(std::move(fetched), query.limit, cursor_of);
}

Visitor VisitorsService::get_mine(const auth::Principal& actor, const std::string& visitor_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return hosted_by(store::find(tx, visitor_id, clock_.now()), actor.user_id);
  });
}

void VisitorsService::revoke_mine(const auth::Principal& actor, const std::string& visitor_id) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    hosted_by(store::find(tx, visitor_id, clock_.now()), actor.user_id);
    passes_.revoke(tx, actor, visitor_id);
    tx.commit();
  });
}

VisitorPage VisitorsService::list_property(const auth::Principal& actor,
                                           const std::string& property_id,
                                           const VisitorQuery& query) {
  Policy::require(actor, Action::manage_visitors, property_id);
  auto fetched = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::list_at_property(tx, property_id, clock_.now(), query);
  });
  return common::keyset_page<common::TimeAndId>(std::move(fetched), query.limit, cursor_of);
}

void VisitorsService::revoke_at_property(const auth::Principal& actor,
                                         const std::string& property_id,
                                         const std::string& visitor_id) {
  Policy::require(actor, Action::manage_visitors, property_id);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto stored = store::find(tx, visitor_id, clock_.now());
    if (!stored || stored->visitor.property_id != property_id) throw ApiError::not_found();
    passes_.revoke(tx, actor, visitor_id);
    tx.commit();
  });
}

}  // namespace frontdoor::visitors
