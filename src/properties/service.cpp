#include "frontdoor/properties/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/uuid.hpp"
#include "store.hpp"

namespace frontdoor::properties {
namespace {

using auth::Action;
using auth::Policy;

Settings settings_from(const pqxx::row& row, int first) {
  return {row[first].as<bool>(), row[first + 1].as<int>(), row[first + 2].as<int>()};
}

}  // namespace

nlohmann::json Settings::to_json() const {
  return {{"allow_visitor_access", allow_visitor_access},
          {"property_only_visitor_max_hours", property_only_visitor_max_hours},
          {"ring_timeout_seconds", ring_timeout_seconds}};
}

PropertiesService::PropertiesService(db::Pool& pool, auth::AuthService& accounts,
                                     const audit::AuditTrail& audit)
    : pool_(pool), accounts_(accounts), audit_(audit) {
  store::prepare(pool_);
}

nlohmann::json PropertiesService::create(const auth::Principal& actor,
                                         const NewProperty& property) {
  Policy::require(actor, Action::create_property, "");
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    pqxx::result rows;
    try {
      rows = tx.exec_prepared("properties_create", property.name, property.site_name,
                              property.time_zone);
    } catch (const pqxx::unique_violation&) {
      throw common::ApiError::conflict("site_name_taken",
                                       "Another property already uses this site name.");
    }
    if (rows.empty()) {
      throw common::ApiError::validation(
          {{"time_zone", "invalid", "Must be an IANA time zone such as America/New_York."}});
    }
    const auto id = rows[0][0].as<std::string>();
    audit_.record(tx, actor,
                  {id,
                   "property.created",
                   "property",
                   id,
                   {{"name", property.name}, {"site_name", property.site_name}}});
    tx.commit();
    Settings defaults;
    return nlohmann::json{{"id", id},
                          {"name", property.name},
                          {"site_name", property.site_name},
                          {"time_zone", property.time_zone},
                          {"settings", defaults.to_json()},
                          {"created_at", rows[0][1].as<std::string>()}};
  });
}

nlohmann::json PropertiesService::get(const auth::Principal& actor,
                                      const std::string& property_id) {
  Policy::require(actor, Action::view_property, property_id);
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("properties_get", property_id);
  });
  if (rows.empty()) throw common::ApiError::not_found();
  const auto& row = rows[0];
  return {{"id", row[0].as<std::string>()},
          {"name", row[1].as<std::string>()},
          {"site_name", row[2].as<std::string>()},
          {"time_zone", row[3].as<std::string>()},
          {"settings", settings_from(row, 4).to_json()}};
}

nlohmann::json PropertiesService::add_unit(const auth::Principal& actor,
                                           const std::string& property_id, const std::string& label,
                                           const std::optional<std::string>& floor) {
  Policy::require(actor, Action::manage_units, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    std::string id;
    try {
      id = tx.exec_prepared1("properties_add_unit", property_id, label, floor)[0].as<std::string>();
    } catch (const pqxx::unique_violation&) {
      throw common::ApiError::conflict("unit_exists",
                                       "This property already has a unit " + label + ".");
    } catch (const pqxx::foreign_key_violation&) {
      throw common::ApiError::not_found();
    }
    audit_.record(tx, actor, {property_id, "unit.created", "unit", id, {{"label", label}}});
    tx.commit();
    return nlohmann::json{
        {"id", id}, {"label", label}, {"floor", floor ? nlohmann::json(*floor) : nullptr}};
  });
}

http::Response PropertiesService::list_units(const auth::Principal& actor,
                                             const std::string& property_id,
                                             const http::PageRequest& page) {
  Policy::require(actor, Action::manage_units, property_id);
  std::optional<std::string> after_label, after_id;
  if (auto after = http::cursor_parts(page, {http::CursorPart::text, http::CursorPart::uuid})) {
    after_label = (*after)[0];
    after_id = (*after)[1];
  }
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("properties_list_units", property_id, after_label, after_id,
                            page.limit + 1);
  });
  nlohmann::json units = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < page.limit; ++i) {
    const auto& row = rows[i];
    units.push_back({{"id", row[0].as<std::string>()},
                     {"label", row[1].as<std::string>()},
                     {"floor", row[2].is_null() ? nlohmann::json(nullptr)
                                                : nlohmann::json(row[2].as<std::string>())}});
  }
  std::optional<nlohmann::json> next;
  if (static_cast<int>(rows.size()) > page.limit) {
    next = nlohmann::json::array({units.back()["label"], units.back()["id"]});
  }
  return http::page_response(std::move(units), next);
}

nlohmann::json PropertiesService::invite_staff(const auth::Principal& actor,
                                               const std::string& property_id,
                                               const std::string& email,
                                               const std::string& display_name, auth::Role role) {
  Policy::require(actor, Action::manage_staff, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto name = tx.exec_prepared("properties_name", property_id);
    if (name.empty()) throw common::ApiError::not_found();
    const auto [user_id, has_password] =
        accounts_.ensure_user(tx, email, display_name, std::nullopt);
    accounts_.grant_role(tx, user_id, role, property_id);
    // Someone who already has a password is not sent a way to set a new one, but
    // is told; the answer is the same either way.
    if (has_password) {
      accounts_.send_notice(tx, email, display_name, name[0][0].as<std::string>(),
                            auth::to_string(role));
    } else {
      accounts_.send_invite(tx, user_id, email, display_name, name[0][0].as<std::string>(),
                            auth::to_string(role));
    }
    audit_.record(tx, actor,
                  {property_id,
                   "staff.invited",
                   "user",
                   user_id,
                   {{"role", auth::to_string(role)}, {"email", email}}});
    tx.commit();
    return nlohmann::json{{"user_id", user_id},           {"email", email},
                          {"display_name", display_name}, {"role", auth::to_string(role)},
                          {"property_id", property_id},   {"invited", true}};
  });
}

Settings PropertiesService::settings(const auth::Principal& actor, const std::string& property_id) {
  Policy::require(actor, Action::view_settings, property_id);
  auto found = settings_of(property_id);
  if (!found) throw common::ApiError::not_found();
  return *found;
}

std::optional<Settings> PropertiesService::settings_of(const std::string& property_id) {
  auto rows = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared("properties_settings", property_id);
  });
  if (rows.empty()) return std::nullopt;
  return settings_from(rows[0], 0);
}

Settings PropertiesService::change_settings(const auth::Principal& actor,
                                            const std::string& property_id,
                                            const SettingsChange& change) {
  Policy::require(actor, Action::change_settings, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto rows =
        tx.exec_prepared("properties_change_settings", property_id, change.allow_visitor_access,
                         change.property_only_visitor_max_hours, change.ring_timeout_seconds);
    if (rows.empty()) throw common::ApiError::not_found();
    const auto before = settings_from(rows[0], 0);
    const auto after = settings_from(rows[0], 3);
    audit_.record(tx, actor,
                  {property_id,
                   "settings.changed",
                   "property",
                   property_id,
                   {{"before", before.to_json()},
                    {"after", after.to_json()},
                    {"revoke_existing", change.revoke_existing}}});
    if (!after.allow_visitor_access && change.revoke_existing) {
      for (const auto& hook : access_closed_hooks_) hook(tx, actor, property_id);
    }
    tx.commit();
    return after;
  });
}

void PropertiesService::on_visitor_access_closed(VisitorAccessClosedHook hook) {
  access_closed_hooks_.push_back(std::move(hook));
}

nlohmann::json PropertiesService::create_panel(const auth::Principal& actor,
                                               const std::string& property_id,
                                               const std::string& name,
                                               const std::optional<std::string>& bmx_device_id) {
  Policy::require(actor, Action::manage_panels, property_id);
  // Shown once; only its hash is stored.
  const std::string key = "fdp_" + common::random_hex(24);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    std::string id;
    try {
      id = tx.exec_prepared1("properties_create_panel", property_id, name, bmx_device_id,
                             common::sha256_hex(key))[0]
               .as<std::string>();
    } catch (const pqxx::foreign_key_violation&) {
      throw common::ApiError::not_found();
    }
    audit_.record(tx, actor, {property_id, "panel.created", "panel", id, {{"name", name}}});
    tx.commit();
    return nlohmann::json{
        {"id", id},
        {"name", name},
        {"bmx_device_id", bmx_device_id ? nlohmann::json(*bmx_device_id) : nullptr},
        {"api_key", key}};
  });
}

void PropertiesService::revoke_panel(const auth::Principal& actor, const std::string& property_id,
                                     const std::string& panel_id) {
  Policy::require(actor, Action::manage_panels, property_id);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (tx.exec_prepared("properties_revoke_panel", panel_id, property_id).affected_rows() == 0) {
      throw common::ApiError::not_found();
    }
    audit_.record(tx, actor, {property_id, "panel.revoked", "panel", panel_id, {}});
    tx.commit();
    return 0;
  });
}

}  // namespace frontdoor::properties
