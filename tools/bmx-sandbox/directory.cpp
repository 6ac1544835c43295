// The v4 resources that describe a building: buildings, units, tenants,
// devices and access points. A building admin sees their buildings; a tenant
// sees their own building and only their own tenant record.
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {

using frontdoor::http::json_response;
using frontdoor::http::Request;

void Sandbox::add_directory_routes(frontdoor::http::Router& router) {
  router.add("GET", "/v4/buildings", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               const auto name_eq = wire::text_param(request, "q[name_eq]");
               const auto name_start = wire::text_param(request, "q[name_start]");
               std::vector<nlohmann::json> items;
               for (const auto& [id, building] : buildings_) {
                 if (!can_see_building(*me, id)) continue;
                 if (name_eq && !wire::equals_ci(building.name, *name_eq)) continue;
                 if (name_start && !wire::starts_with_ci(building.name, *name_start)) continue;
                 items.push_back(building_json(building));
               }
               return json_response(200, wire::page_of(items, request));
             }));

  router.add("GET", "/v4/buildings/{id}", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               auto id = wire::id_param(request, "id");
               if (!id || !can_see_building(*me, *id)) return wire::not_found();
               return wire::ok(building_json(buildings_.at(*id)));
             }));

  router.add("GET", "/v4/units", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               const auto building = wire::integer_param(request, "q[building_id_eq]");
               const auto label_eq = wire::text_param(request, "q[label_eq]");
               const auto label_start = wire::text_param(request, "q[label_start]");
               std::vector<nlohmann::json> items;
               for (const auto& [id, unit] : units_) {
                 if (!can_see_building(*me, unit.building_id)) continue;
                 if (building && unit.building_id != *building) continue;
                 if (label_eq && !wire::equals_ci(unit.label, *label_eq)) continue;
                 if (label_start && !wire::starts_with_ci(unit.label, *label_start)) continue;
                 items.push_back(unit_json(unit));
               }
               return json_response(200, wire::page_of(items, request));
             }));

  router.add(
      "GET", "/v4/units/{id}", bmx_route([this](Request& request) {
        std::lock_guard lock(mutex_);
        auto me = caller(request);
        if (!me) return wire::unauthorized();
        auto id = wire::id_param(request, "id");
        if (!id || !units_.count(*id) || !can_see_building(*me, units_.at(*id).building_id)) {
          return wire::not_found();
        }
        return wire::ok(unit_json(units_.at(*id)));
      }));

  router.add("GET", "/v4/tenants", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               const auto email_eq = wire::text_param(request, "q[email_eq]");
               const auto building = wire::integer_param(request, "q[building_id_eq]");
               const auto unit = wire::integer_param(request, "q[unit_id_eq]");
               const auto first_start = wire::text_param(request, "q[first_name_start]");
               const auto last_start = wire::text_param(request, "q[last_name_start]");
               std::vector<nlohmann::json> items;
               for (const auto& [id, tenant] : tenants_) {
                 if (!can_act_for_tenant(*me, id)) continue;
                 if (email_eq && !wire::equals_ci(tenant.email, *email_eq)) continue;
                 if (building && tenant.building_id != *building) continue;
                 if (unit && tenant.unit_id != *unit) continue;
                 if (first_start && !wire::starts_with_ci(tenant.first_name, *first_start))
                   continue;
                 if (last_start && !wire::starts_with_ci(tenant.last_name, *last_start)) continue;
                 items.push_back(tenant_json(tenant));
               }
               return json_response(200, wire::page_of(items, request));
             }));

  router.add("GET", "/v4/tenants/{id}", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               auto id = wire::id_param(request, "id");
               if (!id || !can_act_for_tenant(*me, *id)) return wire::not_found();
               return wire::ok(tenant_json(tenants_.at(*id)));
             }));

  router.add("GET", "/v4/devices", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               const auto building = wire::integer_param(request, "q[building_id_eq]");
               const auto name_start = wire::text_param(request, "q[name_start]");
               std::vector<nlohmann::json> items;
               for (const auto& [id, device] : devices_) {
                 if (!can_see_building(*me, device.building_id)) continue;
                 if (building && device.building_id != *building) continue;
                 if (name_start && !wire::starts_with_ci(device.name, *name_start)) continue;
                 items.push_back(device_json(device));
               }
               return json_response(200, wire::page_of(items, request));
             }));

  router.add(
      "GET", "/v4/devices/{id}", bmx_route([this](Request& request) {
        std::lock_guard lock(mutex_);
        auto me = caller(request);
        if (!me) return wire::unauthorized();
        auto id = wire::id_param(request, "id");
        if (!id || !devices_.count(*id) || !can_see_building(*me, devices_.at(*id).building_id)) {
          return wire::not_found();
        }
        return wire::ok(device_json(devices_.at(*id)));
      }));

  router.add("GET", "/v4/access_points", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               const auto building = wire::integer_param(request, "q[building_id_eq]");
               std::vector<nlohmann::json> items;
               for (const auto& [id, access_point] : access_points_) {
                 if (!can_see_building(*me, access_point.building_id)) continue;
                 if (building && access_point.building_id != *building) continue;
                 items.push_back(access_point_json(access_point));
               }
               return json_response(200, wire::page_of(items, request));
             }));

  router.add("GET", "/v4/access_points/{id}", bmx_route([this](Request& request) {
               std::lock_guard lock(mutex_);
               auto me = caller(request);
               if (!me) return wire::unauthorized();
               auto id = wire::id_param(request, "id");
               if (!id || !access_points_.count(*id) ||
                   !can_see_building(*me, access_points_.at(*id).building_id)) {
                 return wire::not_found();
               }
               return wire::ok(access_point_json(access_points_.at(*id)));
             }));
}

}  // namespace bmx_sandbox
