#include "frontdoor/properties/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/auth/policy.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "json_shapes.hpp"
#include "store.hpp"

namespace frontdoor::properties {
namespace {

using auth::Action;
using auth::Policy;

}  // namespace

PropertiesService::PropertiesService(db::Pool& pool, auth::AuthService& accounts,
                                     const audit::AuditTrail& audit)
    : pool_(pool), accounts_(accounts), audit_(audit) {
  store::prepare(pool_);
}

Property PropertiesService::create(const auth::Principal& actor, const NewProperty& property) {
  Policy::require(actor, Action::create_property, "");
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    std::optional<store::Created> created;
    try {
      created = store::insert(tx, property);
    } catch (const pqxx::unique_violation&) {
      throw common::ApiError::conflict("site_name_taken",
                                       "Another property already uses this site name.");
    }
    if (!created) {
      throw common::ApiError::validation(
          {{"time_zone", "invalid", "Must be an IANA time zone such as America/New_York."}});
    }
    audit_.record(tx, actor,
                  {created->id,
                   "property.created",
                   "property",
                   created->id,
                   {{"name", property.name}, {"site_name", property.site_name}}});
    tx.commit();
    return Property{created->id,        property.name, property.site_name,
                    property.time_zone, Settings{},    created->created_at};
  });
}

Property PropertiesService::get(const auth::Principal& actor, const std::string& property_id) {
  Policy::require(actor, Action::view_property, property_id);
  auto found = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::find(tx, property_id);
  });
  if (!found) throw common::ApiError::not_found();
  return *found;
}

Unit PropertiesService::add_unit(const auth::Principal& actor, const std::string& property_id,
                                 const std::string& label,
                                 const std::optional<std::string>& floor) {
  Policy::require(actor, Action::manage_units, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    std::optional<std::string> id;
    try {
      id = store::insert_unit(tx, property_id, label, floor);
    } catch (const pqxx::unique_violation&) {
      throw common::ApiError::conflict("unit_exists",
                                       "This property already has a unit " + label + ".");
    }
    if (!id) throw common::ApiError::not_found();
    audit_.record(tx, actor, {property_id, "unit.created", "unit", *id, {{"label", label}}});
    tx.commit();
    return Unit{*id, label, floor};
  });
}

UnitPage PropertiesService::list_units(const auth::Principal& actor, const std::string& property_id,
                                       const UnitQuery& query) {
  Policy::require(actor, Action::manage_units, property_id);
  auto fetched = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::list_units(tx, property_id, query);
  });
  return common::keyset_page<LabelAndId>(std::move(fetched), query.limit, [](const Unit& unit) {
    return LabelAndId{unit.label, unit.id};
  });
}

InvitedStaff PropertiesService::invite_staff(const auth::Principal& actor,
                                             const std::string& property_id,
                                             const StaffInvitation& invitation) {
  Policy::require(actor, Action::manage_staff, property_id);
  const auto role = auth::to_string(invitation.role);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto property_name = store::name_of(tx, property_id);
    if (!property_name) throw common::ApiError::not_found();
    const auto [user_id, has_password] =
        accounts_.ensure_user(tx, invitation.email, invitation.display_name, std::nullopt);
    accounts_.grant_role(tx, user_id, invitation.role, property_id);
    // Someone who already has a password is not sent a way to set a new one, but
    // is told; the answer is the same either way.
    if (has_password) {
      accounts_.send_notice(tx, invitation.email, invitation.display_name, *property_name, role);
    } else {
      accounts_.send_invite(tx, user_id, invitation.email, invitation.display_name, *property_name,
                            role);
    }
    audit_.record(tx, actor,
                  {property_id,
                   "staff.invited",
                   "user",
                   user_id,
                   {{"role", role}, {"email", invitation.email}}});
    tx.commit();
    return InvitedStaff{user_id, invitation, property_id};
  });
}

Settings PropertiesService::settings(const auth::Principal& actor, const std::string& property_id) {
  Policy::require(actor, Action::view_settings, property_id);
  auto found = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::settings_of(tx, property_id);
  });
  if (!found) throw common::ApiError::not_found();
  return *found;
}

Settings PropertiesService::change_settings(const auth::Principal& actor,
                                            const std::string& property_id,
                                            const SettingsChange& change) {
  Policy::require(actor, Action::change_settings, property_id);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto changed = store::change_settings(tx, property_id, change);
    if (!changed) throw common::ApiError::not_found();
    audit_.record(tx, actor,
                  {property_id,
                   "settings.changed",
                   "property",
                   property_id,
                   {{"before", to_json(changed->before)},
                    {"after", to_json(changed->after)},
                    {"revoke_existing", change.revoke_existing}}});
    if (!changed->after.allow_visitor_access && change.revoke_existing) {
      for (const auto& hook : access_closed_hooks_) hook(tx, actor, property_id);
    }
    tx.commit();
    return changed->after;
  });
}

void PropertiesService::on_visitor_access_closed(VisitorAccessClosedHook hook) {
  access_closed_hooks_.push_back(std::move(hook));
}

Panel PropertiesService::create_panel(const auth::Principal& actor, const std::string& property_id,
                                      const NewPanel& panel) {
  Policy::require(actor, Action::manage_panels, property_id);
  // Shown once; only its hash is stored.
  const std::string key = "fdp_" + common::random_hex(24);
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto id = store::insert_panel(tx, property_id, panel, common::sha256_hex(key));
    if (!id) throw common::ApiError::not_found();
    audit_.record(tx, actor, {property_id, "panel.created", "panel", *id, {{"name", panel.name}}});
    tx.commit();
    return Panel{*id, panel, key};
  });
}

void PropertiesService::revoke_panel(const auth::Principal& actor, const std::string& property_id,
                                     const std::string& panel_id) {
  Policy::require(actor, Action::manage_panels, property_id);
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    if (!store::revoke_panel(tx, property_id, panel_id)) throw common::ApiError::not_found();
    audit_.record(tx, actor, {property_id, "panel.revoked", "panel", panel_id, {}});
    tx.commit();
    return 0;
  });
}

}  // namespace frontdoor::properties
