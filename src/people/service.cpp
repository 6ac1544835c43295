#include "frontdoor/people/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::people {
namespace {

using auth::Action;
using auth::Policy;

}  // namespace

PeopleService::PeopleService(db::Pool& pool, auth::AuthService& accounts,
                             const audit::AuditTrail& audit)
    : pool_(pool), accounts_(accounts), audit_(audit) {
  store::prepare(pool_);
}

void PeopleService::on_move_out(MoveOutHook hook) { move_out_hooks_.push_back(std::move(hook)); }

Diagnostics PeopleService::diagnostics(const auth::Principal& actor,
                                       const std::string& residency_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::read_transaction tx(connection);
    auto resident = store::resident(tx, residency_id);
    if (!resident) throw common::ApiError::not_found();
    const auto property_id = store::property_of_residency(tx, residency_id);
    Policy::require(actor, Action::support, *property_id);
    Diagnostics report{{residency_id, resident->user_id, *property_id},
                       *resident,
                       store::devices_of(tx, resident->user_id)};
    tx.commit();
    return report;
  });
}

Resident PeopleService::move_in(const auth::Principal& actor, const std::string& property_id,
                                const MoveIn& resident) {
  Policy::require(actor, Action::manage_residents, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto property_name = store::property_name(tx, property_id);
    if (!property_name) throw common::ApiError::not_found();
    const std::string display_name = resident.first_name + " " + resident.last_name;
    // An existing account keeps its own name and phone: the manager's details are
    // the residency's, and nothing about the account is said back.
    const auto [user_id, has_password] =
        accounts_.ensure_user(tx, resident.email, display_name, resident.phone);
    std::string residency_id;
    try {
      pqxx::subtransaction insert(tx, "move_in");
      residency_id = store::insert_residency(insert, property_id, user_id, resident);
      insert.commit();
    } catch (const pqxx::foreign_key_violation&) {
      throw common::ApiError::validation(
          {{"unit_id", "not_found", "No such unit in this property."}});
    } catch (const pqxx::unique_violation&) {
      throw common::ApiError::conflict("already_resident",
                                       "This person already lives in this property.");
    }
    accounts_.grant_role(tx, user_id, auth::Role::resident, property_id);
    // Either way the person hears of it by e-mail: with a way to set a password,
    // or (having one already) that they can log in and find this home there.
    if (has_password) {
      accounts_.send_notice(tx, resident.email, display_name, *property_name, "a resident");
    } else {
      accounts_.send_invite(tx, user_id, resident.email, display_name, *property_name,
                            "a resident");
    }
    audit_.record(tx, actor,
                  {property_id,
                   "resident.moved_in",
                   "residency",
                   residency_id,
                   {{"user_id", user_id}, {"unit_id", resident.unit_id}}});
    auto moved_in = store::resident(tx, residency_id);
    tx.commit();
    return *moved_in;
  });
}

MovedOut PeopleService::move_out(const auth::Principal& actor, const std::string& residency_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto property_id = store::property_of_residency(tx, residency_id);
    if (!property_id) throw common::ApiError::not_found();
    Policy::require(actor, Action::manage_residents, *property_id);
    const auto user_id = store::end_residency(tx, residency_id);
    if (!user_id) {
      throw common::ApiError::conflict("already_moved_out", "This resident has moved out already.");
    }
    MovedOut resident{residency_id, *user_id, *property_id};
    accounts_.revoke_role(tx, resident.user_id, auth::Role::resident, resident.property_id);
    for (const auto& hook : move_out_hooks_) hook(tx, actor, resident);
    audit_.record(tx, actor,
                  {resident.property_id,
                   "resident.moved_out",
                   "residency",
                   residency_id,
                   {{"user_id", resident.user_id}}});
    tx.commit();
    return resident;
  });
}

ResidentPage PeopleService::list_residents(const auth::Principal& actor,
                                           const std::string& property_id,
                                           const ResidentQuery& query) {
  Policy::require(actor, Action::manage_residents, property_id);
  auto fetched = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::list_residents(tx, property_id, query);
  });
  auto listed = common::keyset_page<NameAndId>(
      std::move(fetched), query.page.limit,
      [](const store::Listed& resident) { return resident.position; });
  ResidentPage page{{}, std::move(listed.next)};
  for (auto& item : listed.items) page.items.push_back(std::move(item.resident));
  return page;
}

DirectoryEntry PeopleService::update_directory_entry(const auth::Principal& actor,
                                                     const DirectoryChange& change) {
  const auto property_id = Policy::resident_property(actor, change.property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto changed = store::change_directory_entry(tx, actor.user_id, property_id, change);
    if (!changed) throw common::ApiError::forbidden("You do not live at a property.");
    const auto& entry = changed->entry;
    audit_.record(tx, actor,
                  {property_id,
                   "directory.changed",
                   "residency",
                   changed->residency_id,
                   {{"listed", entry.listed},
                    {"display_name", entry.display_name},
                    {"custom_display_name", entry.custom_display_name}}});
    tx.commit();
    return entry;
  });
}

RegisteredDevice PeopleService::register_device(const auth::Principal& actor,
                                                const Device& device) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto id = store::upsert_device(tx, actor.user_id, device);
    tx.commit();
    return RegisteredDevice{id, device.platform, device.bmx_app_installed,
                            device.voip_token.has_value()};
  });
}

void PeopleService::remove_device(const auth::Principal& actor, const std::string& device_id) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::remove_device(tx, actor.user_id, device_id)) throw common::ApiError::not_found();
    tx.commit();
    return 0;
  });
}

}  // namespace frontdoor::people
