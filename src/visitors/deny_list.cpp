#include "frontdoor/visitors/deny_list.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/keyset.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/notify/messages.hpp"
#include "store.hpp"

namespace frontdoor::visitors {
namespace {

using auth::Action;
using auth::Policy;

// Who the entry names, for the audit trail and the managers' e-mail.
std::string described(const NewVisit& visit) {
  std::string text = visit.name;
  if (visit.phone) text += " (" + *visit.phone + ")";
  if (visit.email) text += " <" + *visit.email + ">";
  return text;
}

}  // namespace

DenyList::DenyList(db::Pool& pool, auth::AuthService& accounts, const notify::Outbox& outbox,
                   const audit::AuditTrail& audit)
    : pool_(pool), accounts_(accounts), outbox_(outbox), audit_(audit) {}

Denial DenyList::add(const auth::Principal& actor, const std::string& property_id,
                     const NewDenial& denial) {
  Policy::require(actor, Action::manage_deny_list, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto added = store::insert_denial(tx, property_id, denial, actor.user_id);
    audit_.record(tx, actor, {property_id, "deny_list.added", "denied_visitor", added.id, {}});
    tx.commit();
    return added;
  });
}

DenialPage DenyList::list(const auth::Principal& actor, const std::string& property_id,
                          const DenialQuery& query) {
  Policy::require(actor, Action::view_deny_list, property_id);
  auto fetched = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::denials(tx, property_id, query);
  });
  return common::keyset_page<common::TimeAndId>(
      std::move(fetched), query.limit, [](const Denial& denial) {
        return common::TimeAndId{denial.cursor, denial.id};
      });
}

void DenyList::remove(const auth::Principal& actor, const std::string& property_id,
                      const std::string& denial_id) {
  Policy::require(actor, Action::manage_deny_list, property_id);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::delete_denial(tx, property_id, denial_id)) throw common::ApiError::not_found();
    audit_.record(tx, actor, {property_id, "deny_list.removed", "denied_visitor", denial_id, {}});
    tx.commit();
  });
}

std::optional<Denial> DenyList::match(pqxx::transaction_base& tx, const std::string& property_id,
                                      const NewVisit& visit) const {
  // A courier's pass has no name of its own ("Delivery"): only its phone counts.
  const auto name = visit.kind == Kind::delivery ? std::nullopt : std::optional(visit.name);
  return store::denial_matching(tx, property_id, name, visit.phone, visit.email);
}

common::ApiError DenyList::refuse(const auth::Principal& actor, const std::string& property_id,
                                  const std::string& property_name, const Denial& denial,
                                  const NewVisit& visit, bool by_staff) const {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    audit_.record(tx, actor,
                  {property_id,
                   "visitor.denied",
                   "denied_visitor",
                   denial.id,
                   {{"by", by_staff ? "staff" : "resident"}, {"visitor", described(visit)}}});
    const auto inviter = by_staff ? "A staff member" : "A resident";
    const auto email =
        notify::visitor_denied_email(property_name, inviter, described(visit), denial.reason);
    // Each refusal is its own event: the same visitor refused twice is two e-mails.
    const auto refusal = common::random_hex(8);
    for (const auto& manager : accounts_.emails_with_role(tx, auth::Role::manager, property_id)) {
      outbox_.enqueue(tx,
                      notify::email_message("visitor-denied:" + refusal + ":" + manager, manager,
                                            email.subject, email.text, email.html, property_id));
    }
    tx.commit();
  });
  if (!by_staff) {
    // Never the reason, nor which detail matched: residents only learn "no".
    return common::ApiError::unprocessable(
        "visitor_not_allowed",
        "This visitor cannot be added at this property. The property's management can tell "
        "you more.");
  }
  return common::ApiError::unprocessable(
             "visitor_not_allowed", "This visitor is on the property's deny list: " + denial.reason)
      .with_extension("deny_list_entry_id", denial.id);
}

}  // namespace frontdoor::visitors
