#pragma once

// The visitors module's SQL (store.cpp) behind typed functions: arguments in,
// row structs out. Nothing else in the module names a statement.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/visitors/rules.hpp"
#include "frontdoor/visitors/types.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::visitors::store {

// Registers the module's prepared statements (names start with "visitors_").
void prepare(db::Pool& pool);
void use_on_the_io_threads(db::AsyncDatabase& database);

// A resident's current home and its visitor rules, as they are now.
struct ResidentContext {
  std::string property_id;
  std::string property_name;
  std::string time_zone;
  bool visitors_allowed = false;
  int property_only_max_hours = 0;
  std::string host_name;
  rules::PassLimits limits;
};
// Nothing when the person does not live at that property (any more).
std::optional<ResidentContext> resident_context(pqxx::transaction_base& tx,
                                                const std::string& user_id,
                                                const std::string& property_id);

// Serializes this resident's creates at the property until the transaction
// ends, so that two concurrent ones cannot both pass a limit. Take it before
// hosted_passes: that statement then sees every pass a rival committed.
void lock_host(pqxx::transaction_base& tx, const std::string& property_id,
               const std::string& user_id);
rules::HostedPasses hosted_passes(pqxx::transaction_base& tx, const std::string& property_id,
                                  const std::string& user_id, common::TimePoint now,
                                  const std::string& time_zone);

struct PropertyContext {
  std::string name;
  std::string time_zone;
  bool visitors_allowed = false;
};
std::optional<PropertyContext> property_context(pqxx::transaction_base& tx,
                                                const std::string& property_id);

// The display name of an account (the staff member who invites).
std::string person_name(pqxx::transaction_base& tx, const std::string& user_id);

struct NewVisitor {
  std::string property_id;
  std::optional<std::string> host_user_id;  // none for the staff's visitors
  std::string created_by;
  Access access = Access::property_wide;
  std::optional<std::string> visitor_user_id;  // the account of a property-wide visitor
};
struct Inserted {
  std::string id;
  std::string window_text;  // "Wed 02 Dec 10:00 to 18:00" in the property's time zone
};
Inserted insert(pqxx::transaction_base& tx, const NewVisitor& row, const NewVisit& visit,
                const std::string& time_zone);

// A visitor with who hosts it; `now` decides scheduled, active or expired.
struct Stored {
  Visitor visitor;
  std::optional<std::string> host_user_id;
};
std::optional<Stored> find(pqxx::transaction_base& tx, const std::string& visitor_id,
                           common::TimePoint now);

// Up to query.limit + 1 visitors of a property, newest first (the extra one only
// says that more follow).
std::vector<Visitor> list_at_property(pqxx::transaction_base& tx, const std::string& property_id,
                                      common::TimePoint now, const VisitorQuery& query);
// The same for a host, read on the I/O thread.
boost::asio::awaitable<std::vector<Visitor>> list_hosted_by(db::AsyncDatabase& database,
                                                            const std::string& user_id,
                                                            common::TimePoint now,
                                                            const VisitorQuery& query);

// --- The deny list ----------------------------------------------------------

// What an entry and a visitor are compared by besides the E.164 phone
// (common/matching.hpp): the folded name and the mailbox.
struct MatchKeys {
  std::optional<std::string> name;
  std::optional<std::string> email;
};
Denial insert_denial(pqxx::transaction_base& tx, const std::string& property_id,
                     const NewDenial& denial, const std::string& created_by, const MatchKeys& keys);
// Entries without keys (inserted by an older version), a batch at a time.
struct UnkeyedDenial {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> email;
};
std::vector<UnkeyedDenial> unkeyed_denials(pqxx::transaction_base& tx);
void set_keys(pqxx::transaction_base& tx, const std::string& denial_id, const MatchKeys& keys);
// One more refusal by this entry: whether the managers are to be told now (not
// told within the hour), and how many refusals that e-mail reports.
struct Refusal {
  bool tell_managers = false;
  int refusals = 0;
};
Refusal count_refusal(pqxx::transaction_base& tx, const std::string& denial_id);
// Visits at the property that are not over and whose pass may still open.
struct OpenVisit {
  std::string visitor_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  Kind kind = Kind::window;
};
std::vector<OpenVisit> open_visits(pqxx::transaction_base& tx, const std::string& property_id,
                                   common::TimePoint now);
// Up to query.limit + 1 entries, newest first.
std::vector<Denial> denials(pqxx::transaction_base& tx, const std::string& property_id,
                            const DenialQuery& query);
// Whether there was such an entry at the property.
bool delete_denial(pqxx::transaction_base& tx, const std::string& property_id,
                   const std::string& denial_id);
// The first entry that names this phone, mailbox or folded name.
std::optional<Denial> denial_matching(pqxx::transaction_base& tx, const std::string& property_id,
                                      const MatchKeys& keys,
                                      const std::optional<std::string>& phone);

}  // namespace frontdoor::visitors::store
