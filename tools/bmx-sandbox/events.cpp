// What happens at the door: door release requests, calls and access logs per
// building, and the control routes that place a call and move it on.
// Integrations (BMX's webhooks) are integrations.cpp's.
#include <algorithm>

#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

std::string now_text() { return frontdoor::common::to_rfc3339(std::chrono::system_clock::now()); }

std::string uuid_text() {
  auto hex = frontdoor::common::random_hex(16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-4" + hex.substr(13, 3) + "-a" +
         hex.substr(17, 3) + "-" + hex.substr(20, 12);
}

// A door_release_request's body as its schema allows it, or the 422 BMX answers.
// The schema is a oneOf: exactly one of the two keys, and no null beside it.
std::optional<Response> release_spec_problem(const nlohmann::json& spec) {
  for (const auto& [key, value] : spec.items()) {
    if (key != "tenant_id" && key != "access_point_id" && key != "device_id") {
      return wire::error(422, key, "unpermitted_parameter", "is not permitted");
    }
    if (!value.is_number_integer()) {
      return wire::error(422, key, "invalid", "must be an integer");
    }
  }
  if (spec.contains("access_point_id") == spec.contains("device_id")) {
    return wire::error(422, "base", "invalid", "give either access_point_id or device_id");
  }
  if (!spec.contains("tenant_id")) return wire::error(422, "tenant_id", "blank", "can't be blank");
  return std::nullopt;
}

}  // namespace

Response Sandbox::release_door(const Request& request, const Caller& me) {
  auto body = wire::json_body(request);
  if (!body || !body->contains("door_release_request") ||
      !(*body)["door_release_request"].is_object()) {
    return wire::error(422, "door_release_request", "blank", "can't be blank");
  }
  const auto& spec = (*body)["door_release_request"];
  if (auto refused = release_spec_problem(spec)) return *refused;
  const bool by_access_point = spec.contains("access_point_id");
  const bool by_device = spec.contains("device_id");
  const auto tenant_id = spec["tenant_id"].get<std::int64_t>();
  if (!can_act_for_tenant(me, tenant_id)) return wire::not_found();
  const auto& tenant = tenants_.at(tenant_id);
  std::int64_t access_point_id = 0;
  if (by_access_point) {
    access_point_id = spec["access_point_id"].get<std::int64_t>();
    auto found = access_points_.find(access_point_id);
    if (found == access_points_.end() || found->second.building_id != tenant.building_id) {
      return wire::not_found();
    }
  } else {
    const auto device_id = spec["device_id"].get<std::int64_t>();
    auto found = devices_.find(device_id);
    if (found == devices_.end() || found->second.building_id != tenant.building_id) {
      return wire::not_found();
    }
  }
  const auto id = next_id();
  const auto now = now_text();
  nlohmann::json release = {
      {"access_point_id", by_access_point ? nlohmann::json(access_point_id) : nullptr},
      {"created_at", now},
      {"device_id", by_device ? spec["device_id"] : nlohmann::json(nullptr)},
      {"guid", uuid_text()},
      {"id", id},
      {"release_method", "api"},
      {"updated_at", now},
      {"tenant_id", tenant_id}};
  door_releases_[id] = release;
  AccessLog log{next_id(),
                tenant.building_id,
                access_point_id,
                "Unlocked",
                tenant.first_name + " " + tenant.last_name,
                "Tenant",
                tenant.unit_id,
                tenant.id,
                "Swipe to open",
                now};
  access_logs_[log.id] = log;
  publish("access_log", access_log_json(log), tenant.building_id, tenant.id, {"door_release"});
  return wire::created(release);
}

Response Sandbox::calls_of(const Request& request, const Caller& me, std::int64_t building) {
  std::vector<nlohmann::json> items;
  // Newest first (clang 14 cannot compile libstdc++ 12's views::reverse).
  for (auto it = calls_.rbegin(); it != calls_.rend(); ++it) {  // NOLINT
    const auto& call = it->second;
    if (!sees_record(me, building, call)) continue;
    const auto& tenant = tenants_.at(call.tenant_id);
    if (!wire::passes_filters(request,
                              {{"logged_at", {call.logged_at}},
                               {"notification_type", {"visitor"}},
                               {"origin", {"panel"}},
                               {"unit_label", {units_.at(call.unit_id).label}},
                               {"user_full_name", {tenant.first_name + " " + tenant.last_name}}})) {
      continue;
    }
    items.push_back(call_json(call));
  }
  return json_response(200, wire::page_of(items, request));
}

Response Sandbox::access_logs_of(const Request& request, const Caller& me, std::int64_t building) {
  std::vector<nlohmann::json> items;
  // Newest first, as above.
  for (auto it = access_logs_.rbegin(); it != access_logs_.rend(); ++it) {  // NOLINT
    const auto& log = it->second;
    if (!sees_record(me, building, log)) continue;
    const auto unit = units_.find(log.unit_id);
    if (!wire::passes_filters(request,
                              {{"logged_at", {log.logged_at}},
                               {"release_status", {log.release_status}},
                               {"release_method", {log.entry_method}},
                               {"unit_label", {unit == units_.end() ? "" : unit->second.label}},
                               {"user_full_name", {log.name}},
                               {"delivery_authorization_description", {}}})) {
      continue;
    }
    items.push_back(access_log_json(log));
  }
  return json_response(200, wire::page_of(items, request));
}

// A visitor at the panel calls a tenant: a BMX call and a call.create webhook.
Response Sandbox::place_call(const Request& request) {
  const auto body = frontdoor::http::parse_json_body(request);
  frontdoor::http::JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
  auto tenant_id = fields.integer("tenant_id", true, 1, INT64_MAX);
  fields.finish();
  std::lock_guard lock(mutex_);
  auto device_id = wire::id_param(request, "device_id");
  if (!device_id || !devices_.count(*device_id) || !tenants_.count(*tenant_id)) {
    return wire::not_found();
  }
  const auto& tenant = tenants_.at(*tenant_id);
  if (tenant.building_id != devices_.at(*device_id).building_id) return wire::not_found();
  Call call{next_id(),  tenant.building_id, tenant.id, tenant.unit_id,
            *device_id, "initializing",     now_text()};
  calls_[call.id] = call;
  publish("call", call_json(call), call.building_id, call.tenant_id);
  return wire::created(call_json(call));
}

// Moves a call on (the statuses of NOTES.md, "Calls").
Response Sandbox::move_call(const Request& request) {
  const auto body = frontdoor::http::parse_json_body(request);
  frontdoor::http::JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
  auto status = fields.one_of("status", true,
                              {"initializing", "connecting_sip", "canceled", "voip_rollover",
                               "rejected", "timeout_online_signal", "opened_door"});
  fields.finish();
  std::lock_guard lock(mutex_);
  auto id = wire::id_param(request, "id");
  if (!id || !calls_.count(*id)) return wire::not_found();
  calls_.at(*id).status = *status;
  return wire::ok(call_json(calls_.at(*id)));
}

void Sandbox::add_event_routes(frontdoor::http::Router& router) {
  router.add("POST", "/v4/door_release_requests",
             for_caller([this](const Request& request, const Caller& me) {
               return release_door(request, me);
             }));
  const auto sees_building = [this](const Caller& me, std::int64_t building) {
    return can_see_building(me, building);
  };
  router.add("GET", "/v4/buildings/{building_id}/calls",
             bmx_route([this, sees_building](Request& request) {
               return as_owner(request, "building_id", sees_building,
                               [&](const Caller& me, std::int64_t building) {
                                 return calls_of(request, me, building);
                               });
             }));
  router.add("GET", "/v4/buildings/{building_id}/calls/{id}",
             bmx_route([this, sees_building](Request& request) {
               return as_owner(request, "building_id", sees_building,
                               [&](const Caller& me, std::int64_t building) {
                                 const auto* call = find_visible(
                                     request, me, calls_, [&](const Caller&, const Call& c) {
                                       return sees_record(me, building, c);
                                     });
                                 return call ? wire::ok(call_json(*call)) : wire::not_found();
                               });
             }));

  router.add("GET", "/v4/buildings/{building_id}/access_logs",
             bmx_route([this, sees_building](Request& request) {
               return as_owner(request, "building_id", sees_building,
                               [&](const Caller& me, std::int64_t building) {
                                 return access_logs_of(request, me, building);
                               });
             }));
  router.add(
      "GET", "/v4/buildings/{building_id}/access_logs/{id}",
      bmx_route([this, sees_building](Request& request) {
        return as_owner(
            request, "building_id", sees_building, [&](const Caller& me, std::int64_t building) {
              const auto* log = find_visible(
                  request, me, access_logs_,
                  [&](const Caller&, const AccessLog& l) { return sees_record(me, building, l); });
              return log ? wire::ok(access_log_json(*log)) : wire::not_found();
            });
      }));

  router.add("POST", "/_sandbox/panels/{device_id}/calls",
             [this](Request& request) { return place_call(request); });
  router.add("POST", "/_sandbox/calls/{id}/status",
             [this](Request& request) { return move_call(request); });
}

}  // namespace bmx_sandbox
