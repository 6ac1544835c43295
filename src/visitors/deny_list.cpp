#include "frontdoor/visitors/deny_list.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/keyset.hpp"
#include "frontdoor/common/matching.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
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

store::MatchKeys keys_of(const std::optional<std::string>& name,
                         const std::optional<std::string>& email) {
  return {name ? common::name_match_key(*name) : std::nullopt,
          email ? std::optional(common::email_match_key(*email)) : std::nullopt};
}

bool matches(const store::MatchKeys& entry, const std::optional<std::string>& entry_phone,
             const store::OpenVisit& visit) {
  const auto visit_keys = keys_of(visit.kind == Kind::delivery && visit.name == kDeliveryName
                                      ? std::nullopt
                                      : std::optional(visit.name),
                                  visit.email);
  return (entry_phone && entry_phone == visit.phone) ||
         (entry.email && entry.email == visit_keys.email) ||
         (entry.name && entry.name == visit_keys.name);
}

}  // namespace

DenyList::DenyList(db::Pool& pool, auth::AuthService& accounts, const passes::PassesService& passes,
                   const notify::Outbox& outbox, const audit::AuditTrail& audit,
                   const common::Clock& clock)
    : pool_(pool),
      accounts_(accounts),
      passes_(passes),
      clock_(clock),
      outbox_(outbox),
      audit_(audit) {}

Denial DenyList::add(const auth::Principal& actor, const std::string& property_id,
                     const NewDenial& denial) {
  Policy::require(actor, Action::manage_deny_list, property_id);
  const auto keys = keys_of(denial.name, denial.email);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto added = store::insert_denial(tx, property_id, denial, actor.user_id, keys);
    for (const auto& visit : store::open_visits(tx, property_id, clock_.now())) {
      if (!matches(keys, denial.phone, visit)) continue;
      if (passes_.revoke(tx, actor, visit.visitor_id)) {
        added.revoked_visitor_ids.push_back(visit.visitor_id);
      }
    }
    audit_.record(tx, actor,
                  {property_id,
                   "deny_list.added",
                   "denied_visitor",
                   added.id,
                   {{"revoked_visitor_ids", added.revoked_visitor_ids}}});
    tx.commit();
    return added;
  });
}

int DenyList::key_unkeyed_entries() {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto unkeyed = store::unkeyed_denials(tx);
    for (const auto& entry : unkeyed)
      store::set_keys(tx, entry.id, keys_of(entry.name, entry.email));
    tx.commit();
    return static_cast<int>(unkeyed.size());
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
        return common::TimeAndId{common::to_sql_timestamp(denial.created_at), denial.id};
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
  // A courier's pass without a name is known by its phone alone.
  const auto name = visit.name_given ? std::optional(visit.name) : std::nullopt;
  return store::denial_matching(tx, property_id, keys_of(name, visit.email), visit.phone);
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
    // The managers hear of an entry at most once an hour: the first refusal at
    // once, later ones counted into the next e-mail.
    const auto counted = store::count_refusal(tx, denial.id);
    if (counted.tell_managers) {
      const auto inviter = by_staff ? "A staff member" : "A resident";
      const auto email = notify::visitor_denied_email(property_name, inviter, described(visit),
                                                      denial.reason, counted.refusals);
      const auto refusal = common::random_hex(8);
      for (const auto& manager : accounts_.emails_with_role(tx, auth::Role::manager, property_id)) {
        outbox_.enqueue(tx,
                        notify::email_message("visitor-denied:" + refusal + ":" += manager, manager,
                                              email.subject, email.text, email.html, property_id));
      }
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
