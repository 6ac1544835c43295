// The v4 resources that describe a building: buildings, units, tenants,
// devices and access points. A building admin sees their buildings; a tenant
// sees their own building and only their own tenant record. Every list takes
// the q[...] filters the published description gives it.
#include "sandbox.hpp"

namespace bmx_sandbox {

using frontdoor::http::Request;

namespace {

std::string text(std::int64_t number) { return std::to_string(number); }

}  // namespace

void Sandbox::add_directory_routes(frontdoor::http::Router& router) {
  add_building_routes(router);
  add_tenant_routes(router);
  add_door_routes(router);
}

// Buildings and their units: what a building's admin sees.
void Sandbox::add_building_routes(frontdoor::http::Router& router) {
  const auto building_visible = [this](const Caller& me, const Building& building) {
    return can_see_building(me, building.id);
  };
  router.add(
      "GET", "/v4/buildings", bmx_route([this, building_visible](Request& request) {
        return list_of(
            request, buildings_, building_visible,
            [](const Building& building) {
              return wire::FilterValues{{"name", {building.name}}, {"id", {text(building.id)}}};
            },
            [this](const Building& building) { return building_json(building); });
      }));
  router.add("GET", "/v4/buildings/{id}", bmx_route([this, building_visible](Request& request) {
               return one_of(request, buildings_, building_visible,
                             [this](const Building& building) { return building_json(building); });
             }));

  const auto unit_visible = [this](const Caller& me, const Unit& unit) {
    return can_see_building(me, unit.building_id);
  };
  router.add("GET", "/v4/units", bmx_route([this, unit_visible](Request& request) {
               return list_of(
                   request, units_, unit_visible,
                   [](const Unit& unit) {
                     return wire::FilterValues{{"label", {unit.label}},
                                               {"floor", {unit.floor}},
                                               {"building_id", {text(unit.building_id)}},
                                               {"id", {text(unit.id)}}};
                   },
                   [this](const Unit& unit) { return unit_json(unit); });
             }));
  router.add("GET", "/v4/units/{id}", bmx_route([this, unit_visible](Request& request) {
               return one_of(request, units_, unit_visible,
                             [this](const Unit& unit) { return unit_json(unit); });
             }));
}

// Tenants: a building's admin sees its tenants, a tenant only themself.
void Sandbox::add_tenant_routes(frontdoor::http::Router& router) {
  const auto tenant_visible = [this](const Caller& me, const Tenant& tenant) {
    return can_act_for_tenant(me, tenant.id);
  };
  router.add("GET", "/v4/tenants", bmx_route([this, tenant_visible](Request& request) {
               return list_of(
                   request, tenants_, tenant_visible,
                   [](const Tenant& tenant) {
                     // email is not in the published list, but NOTES.md shows q[email_eq].
                     return wire::FilterValues{
                         {"full_name", {tenant.first_name + " " + tenant.last_name}},
                         {"first_name", {tenant.first_name}},
                         {"last_name", {tenant.last_name}},
                         {"email", {tenant.email}},
                         {"building_id", {text(tenant.building_id)}},
                         {"unit_id", {text(tenant.unit_id)}},
                         {"id", {text(tenant.id)}}};
                   },
                   [this](const Tenant& tenant) { return tenant_json(tenant); });
             }));
  router.add("GET", "/v4/tenants/{id}", bmx_route([this, tenant_visible](Request& request) {
               return one_of(request, tenants_, tenant_visible,
                             [this](const Tenant& tenant) { return tenant_json(tenant); });
             }));
}

// The doors: panels (devices) and the access points they open.
void Sandbox::add_door_routes(frontdoor::http::Router& router) {
  const auto device_visible = [this](const Caller& me, const Device& device) {
    return can_see_building(me, device.building_id);
  };
  router.add("GET", "/v4/devices", bmx_route([this, device_visible](Request& request) {
               return list_of(
                   request, devices_, device_visible,
                   [](const Device& device) {
                     return wire::FilterValues{
                         {"type", {device.type}},
                         {"name", {device.name}},
                         {"serial_number", {}},  // the sandbox's panels have none
                         {"building_id", {text(device.building_id)}},
                         {"id", {text(device.id)}}};
                   },
                   [this](const Device& device) { return device_json(device); });
             }));
  router.add("GET", "/v4/devices/{id}", bmx_route([this, device_visible](Request& request) {
               return one_of(request, devices_, device_visible,
                             [this](const Device& device) { return device_json(device); });
             }));

  const auto access_point_visible = [this](const Caller& me, const AccessPoint& access_point) {
    return can_see_building(me, access_point.building_id);
  };
  router.add(
      "GET", "/v4/access_points", bmx_route([this, access_point_visible](Request& request) {
        return list_of(
            request, access_points_, access_point_visible,
            [](const AccessPoint& access_point) {
              return wire::FilterValues{{"name", {access_point.name}},
                                        {"building_id", {text(access_point.building_id)}},
                                        {"id", {text(access_point.id)}}};
            },
            [this](const AccessPoint& access_point) { return access_point_json(access_point); });
      }));
  router.add(
      "GET", "/v4/access_points/{id}", bmx_route([this, access_point_visible](Request& request) {
        return one_of(
            request, access_points_, access_point_visible,
            [this](const AccessPoint& access_point) { return access_point_json(access_point); });
      }));
}

}  // namespace bmx_sandbox
