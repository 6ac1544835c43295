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

nlohmann::json resident_json(const pqxx::row& row) {
  return {{"id", row[0].as<std::string>()},
          {"user_id", row[1].as<std::string>()},
          {"unit_id", row[2].as<std::string>()},
          {"unit_label", row[3].as<std::string>()},
          {"first_name", row[4].as<std::string>()},
          {"last_name", row[5].as<std::string>()},
          {"email", row[6].as<std::string>()},
          {"phone",
           row[7].is_null() ? nlohmann::json(nullptr) : nlohmann::json(row[7].as<std::string>())},
          {"directory_listed", row[8].as<bool>()},
          {"moved_in_at", row[9].as<std::string>()}};
}

}  // namespace

PeopleService::PeopleService(db::Pool& pool, auth::AuthService& accounts,
                             const audit::AuditTrail& audit)
    : pool_(pool), accounts_(accounts), audit_(audit) {
  store::prepare(pool_);
}

void PeopleService::on_move_out(MoveOutHook hook) { move_out_hooks_.push_back(std::move(hook)); }

void PeopleService::add_diagnostics(std::string name, DiagnosticsSection section) {
  diagnostics_sections_.emplace_back(std::move(name), std::move(section));
}

nlohmann::json PeopleService::diagnostics(const auth::Principal& actor,
                                          const std::string& residency_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("people_resident", residency_id);
    if (rows.empty()) throw common::ApiError::not_found();
    auto resident = resident_json(rows[0]);
    const auto property_id =
        tx.exec_prepared1("people_property_of_residency", residency_id)[0].as<std::string>();
    Policy::require(actor, Action::support, property_id);
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& row :
         tx.exec_prepared("people_devices_of", resident["user_id"].get<std::string>())) {
      devices.push_back(
          {{"id", row[0].as<std::string>()},
           {"platform", row[1].as<std::string>()},
           {"voip_token_registered", row[2].as<bool>()},
           {"bmx_app_installed", row[3].as<bool>()},
           {"registered_at", row[4].as<std::string>()},
           {"last_push_at",
            row[5].is_null() ? nlohmann::json(nullptr) : nlohmann::json(row[5].as<std::string>())},
           {"last_push_outcome", row[6].is_null() ? nlohmann::json(nullptr)
                                                  : nlohmann::json(row[6].as<std::string>())}});
    }
    nlohmann::json result = {{"resident", resident}, {"devices", devices}};
    const MovedOut who{residency_id, resident["user_id"].get<std::string>(), property_id};
    for (const auto& [name, section] : diagnostics_sections_) result[name] = section(tx, who);
    tx.commit();
    return result;
  });
}

nlohmann::json PeopleService::move_in(const auth::Principal& actor, const std::string& property_id,
                                      const MoveIn& resident) {
  Policy::require(actor, Action::manage_residents, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto property = tx.exec_prepared("people_property_name", property_id);
    if (property.empty()) throw common::ApiError::not_found();
    const auto property_name = property[0][0].as<std::string>();
    const std::string display_name = resident.first_name + " " + resident.last_name;
    // An existing account keeps its own name and phone: the manager's details are
    // the residency's, and nothing about the account is said back.
    const auto [user_id, has_password] =
        accounts_.ensure_user(tx, resident.email, display_name, resident.phone);
    std::string residency_id;
    try {
      pqxx::subtransaction insert(tx, "move_in");
      residency_id =
          insert
              .exec_prepared1("people_move_in", property_id, resident.unit_id, user_id,
                              resident.first_name, resident.last_name, resident.directory_listed,
                              resident.email, resident.phone)[0]
              .as<std::string>();
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
      accounts_.send_notice(tx, resident.email, display_name, property_name, "a resident");
    } else {
      accounts_.send_invite(tx, user_id, resident.email, display_name, property_name, "a resident");
    }
    audit_.record(tx, actor,
                  {property_id,
                   "resident.moved_in",
                   "residency",
                   residency_id,
                   {{"user_id", user_id}, {"unit_id", resident.unit_id}}});
    auto row = tx.exec_prepared1("people_resident", residency_id);
    tx.commit();
    auto json = resident_json(row);
    json["property_id"] = property_id;
    json["invited"] = true;
    return json;
  });
}

nlohmann::json PeopleService::move_out(const auth::Principal& actor,
                                       const std::string& residency_id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto found = tx.exec_prepared("people_property_of_residency", residency_id);
    if (found.empty()) throw common::ApiError::not_found();
    const auto property_id = found[0][0].as<std::string>();
    Policy::require(actor, Action::manage_residents, property_id);
    auto moved = tx.exec_prepared("people_move_out", residency_id);
    if (moved.empty()) {
      throw common::ApiError::conflict("already_moved_out", "This resident has moved out already.");
    }
    const MovedOut resident{residency_id, moved[0][0].as<std::string>(), property_id};
    accounts_.revoke_role(tx, resident.user_id, auth::Role::resident, property_id);
    for (const auto& hook : move_out_hooks_) hook(tx, actor, resident);
    audit_.record(tx, actor,
                  {property_id,
                   "resident.moved_out",
                   "residency",
                   residency_id,
                   {{"user_id", resident.user_id}}});
    tx.commit();
    return nlohmann::json{{"id", residency_id}, {"user_id", resident.user_id}, {"moved_out", true}};
  });
}

http::Response PeopleService::list_residents(const auth::Principal& actor,
                                             const std::string& property_id,
                                             const std::optional<std::string>& name_prefix,
                                             const http::PageRequest& page) {
  Policy::require(actor, Action::manage_residents, property_id);
  std::optional<std::string> last, first, id;
  using http::CursorPart;
  if (auto after =
          http::cursor_parts(page, {CursorPart::text, CursorPart::text, CursorPart::uuid})) {
    last = (*after)[0];
    first = (*after)[1];
    id = (*after)[2];
  }
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("people_list_residents", property_id, name_prefix, last, first, id,
                            page.limit + 1);
  });
  nlohmann::json items = nlohmann::json::array();
  std::optional<nlohmann::json> next;
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < page.limit; ++i) {
    items.push_back(resident_json(rows[i]));
  }
  if (static_cast<int>(rows.size()) > page.limit) {
    const auto& tail = rows[static_cast<std::size_t>(page.limit) - 1];
    next = nlohmann::json::array(
        {tail[10].as<std::string>(), tail[11].as<std::string>(), tail[0].as<std::string>()});
  }
  return http::page_response(std::move(items), next);
}

nlohmann::json PeopleService::update_directory_entry(
    const auth::Principal& actor, const std::optional<std::string>& property,
    std::optional<bool> listed, bool change_name, const std::optional<std::string>& display_name) {
  const auto property_id = Policy::resident_property(actor, property);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows = tx.exec_prepared("people_directory_update", actor.user_id, listed, change_name,
                                 display_name, property_id);
    if (rows.empty()) throw common::ApiError::forbidden("You do not live at a property.");
    nlohmann::json entry = {{"listed", rows[0][2].as<bool>()},
                            {"display_name", rows[0][3].as<std::string>()},
                            {"custom_display_name", rows[0][4].as<bool>()}};
    audit_.record(tx, actor,
                  {rows[0][1].as<std::string>(), "directory.changed", "residency",
                   rows[0][0].as<std::string>(), entry});
    tx.commit();
    return entry;
  });
}

nlohmann::json PeopleService::register_device(const auth::Principal& actor, const Device& device) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto id =
        tx.exec_prepared1("people_register_device", actor.user_id, device.platform,
                          device.push_token, device.voip_token, device.bmx_app_installed)[0]
            .as<std::string>();
    tx.commit();
    return nlohmann::json{{"id", id},
                          {"platform", device.platform},
                          {"bmx_app_installed", device.bmx_app_installed},
                          {"voip", device.voip_token.has_value()}};
  });
}

void PeopleService::remove_device(const auth::Principal& actor, const std::string& device_id) {
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (tx.exec_prepared("people_remove_device", device_id, actor.user_id).affected_rows() == 0) {
      throw common::ApiError::not_found();
    }
    tx.commit();
    return 0;
  });
}

}  // namespace frontdoor::people
