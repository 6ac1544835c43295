// The /_sandbox/ control routes of docs/api.md ("bmx-sandbox control API"), for
// tests, the demo and ops rehearsals. They are not part of BMX.
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::JsonFields;
using frontdoor::http::Request;
using frontdoor::http::Response;

const std::vector<std::string_view> kContactPreferences = {"mobile_app", "phone_call"};

nlohmann::json array_field(const nlohmann::json& body, const char* name, JsonFields& fields) {
  if (!body.contains(name)) return nlohmann::json::array();
  if (!body[name].is_array()) {
    fields.add_error(name, "type", "Must be an array.");
    return nlohmann::json::array();
  }
  for (const auto& item : body[name]) {
    if (!item.is_object() && !item.is_string()) {
      fields.add_error(name, "type", "Must hold objects.");
      return nlohmann::json::array();
    }
  }
  return body[name];
}

}  // namespace

// What POST /_sandbox/buildings asks for: {name, time_zone?, admins: [e-mail],
// devices: [{name, type?}], access_points: [{name, devices: [device name]}],
// units: [{label, floor?, tenants: [{first_name, last_name, email, phone?,
// contact_preference?}]}]}. Without devices, one panel "Main Entrance" with an
// access point "Front door".
struct Seed {
  std::string name;
  std::optional<std::string> time_zone;
  nlohmann::json admins, devices, access_points, units;
};

namespace {

Seed seed_of(const Request& request) {
  const auto body = frontdoor::http::parse_json_body(request);
  JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
  auto name = fields.string("name", true, 1, 200);
  Seed seed{"",
            fields.string("time_zone", false, 1, 64),
            array_field(body, "admins", fields),
            array_field(body, "devices", fields),
            array_field(body, "access_points", fields),
            array_field(body, "units", fields)};
  for (const auto& admin : seed.admins) {
    if (!admin.is_string()) fields.add_error("admins", "type", "Must hold e-mail addresses.");
  }
  for (const auto& unit : seed.units) {
    for (const auto& tenant : unit.value("tenants", nlohmann::json::array())) {
      const auto preference = tenant.value("contact_preference", "mobile_app");
      if (std::find(kContactPreferences.begin(), kContactPreferences.end(), preference) ==
          kContactPreferences.end()) {
        fields.add_error("units", "contact_preference", "Use mobile_app or phone_call.");
      }
    }
  }
  fields.finish();
  seed.name = *name;
  if (seed.devices.empty()) {
    seed.devices = {{{"name", "Main Entrance"}}};
    if (seed.access_points.empty()) {
      seed.access_points = {{{"name", "Front door"}, {"devices", {"Main Entrance"}}}};
    }
  }
  return seed;
}

// POST /_sandbox/faults: {method?, path_prefix, status?, delay_ms?, drop?,
// retry_after?, times?}.
Fault fault_of(const Request& request) {
  const auto body = frontdoor::http::parse_json_body(request);
  JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
  auto method = fields.one_of("method", false, {"GET", "POST", "PUT", "PATCH", "DELETE"});
  auto prefix = fields.string("path_prefix", true, 1, 500);
  auto status = fields.integer("status", false, 400, 599);
  auto delay = fields.integer("delay_ms", false, 0, 120000);
  auto drop = fields.boolean("drop", false);
  auto retry_after = fields.integer("retry_after", false, 0, 3600);
  auto times = fields.integer("times", false, 1, 1000000);
  if (!status && !delay && !drop.value_or(false)) {
    fields.add_error("status", "required", "Give status, delay_ms or drop.");
  }
  fields.finish();
  return {method.value_or(""),
          *prefix,
          static_cast<int>(status.value_or(0)),
          static_cast<int>(delay.value_or(0)),
          drop.value_or(false),
          static_cast<int>(retry_after.value_or(-1)),
          static_cast<int>(times.value_or(1))};
}

}  // namespace

Response Sandbox::seed_building(const Request& request) {
  const auto seed = seed_of(request);
  std::lock_guard lock(mutex_);
  const auto created_at = frontdoor::common::to_rfc3339(std::chrono::system_clock::now());
  Building building{
      next_id(), seed.name, seed.time_zone.value_or("America/New_York"), {}, created_at};
  for (const auto& admin : seed.admins) {
    building.admins.insert(wire::lower(admin.get<std::string>()));
  }
  buildings_[building.id] = building;
  nlohmann::json result = {{"id", building.id},
                           {"name", building.name},
                           {"admins", building.admins},
                           {"devices", nlohmann::json::array()},
                           {"access_points", nlohmann::json::array()},
                           {"units", nlohmann::json::array()}};
  seed_doors(seed, building.id, created_at, result);
  seed_units(seed, building.id, created_at, result);
  return json_response(201, result);
}

void Sandbox::seed_doors(const Seed& seed, std::int64_t building_id, const std::string& created_at,
                         nlohmann::json& result) {
  std::map<std::string, std::int64_t> device_by_name;
  for (const auto& spec : seed.devices) {
    Device device{next_id(), building_id, spec.value("name", "Panel"), spec.value("type", "panel"),
                  created_at};
    devices_[device.id] = device;
    device_by_name[device.name] = device.id;
    result["devices"].push_back({{"id", device.id}, {"name", device.name}});
  }
  for (const auto& spec : seed.access_points) {
    AccessPoint access_point{next_id(), building_id, spec.value("name", "Door"), {}, created_at};
    for (const auto& device_name : spec.value("devices", nlohmann::json::array())) {
      if (!device_name.is_string()) continue;
      auto found = device_by_name.find(device_name.get<std::string>());
      if (found != device_by_name.end()) access_point.device_ids.push_back(found->second);
    }
    access_points_[access_point.id] = access_point;
    result["access_points"].push_back({{"id", access_point.id},
                                       {"name", access_point.name},
                                       {"device_ids", access_point.device_ids}});
  }
}

void Sandbox::seed_units(const Seed& seed, std::int64_t building_id, const std::string& created_at,
                         nlohmann::json& result) {
  for (const auto& spec : seed.units) {
    Unit unit{next_id(), building_id, spec.value("label", "unit"), spec.value("floor", "1"),
              created_at};
    units_[unit.id] = unit;
    nlohmann::json tenants = nlohmann::json::array();
    for (const auto& tenant_spec : spec.value("tenants", nlohmann::json::array())) {
      Tenant tenant{next_id(),
                    unit.id,
                    building_id,
                    tenant_spec.value("first_name", ""),
                    tenant_spec.value("last_name", ""),
                    wire::lower(tenant_spec.value("email", "")),
                    tenant_spec.value("phone", ""),
                    tenant_spec.value("contact_preference", "mobile_app"),
                    created_at};
      tenants_[tenant.id] = tenant;
      tenants.push_back({{"id", tenant.id}, {"email", tenant.email}});
    }
    result["units"].push_back({{"id", unit.id}, {"label", unit.label}, {"tenants", tenants}});
  }
}

void Sandbox::reset() {
  std::lock_guard lock(mutex_);
  buildings_.clear();
  units_.clear();
  tenants_.clear();
  devices_.clear();
  access_points_.clear();
  keychains_.clear();
  virtual_keys_.clear();
  door_releases_.clear();
  calls_.clear();
  access_logs_.clear();
  integrations_.clear();
  codes_.clear();
  access_tokens_.clear();
  refresh_tokens_.clear();
  faults_.clear();
  requests_.clear();
  messages_.clear();
  webhook_log_.clear();
  sinks_.clear();
  panel_links_.clear();
  deliveries_.clear();
}

// Ends the life of access tokens now, as 24 hours would: {email?} (all when absent).
Response Sandbox::expire_tokens(const Request& request) {
  std::optional<std::string> email;
  if (!request.body.empty()) {
    const auto body = frontdoor::http::parse_json_body(request);
    JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
    email = fields.email("email", false);
    fields.finish();
  }
  std::lock_guard lock(mutex_);
  int expired = 0;
  for (auto& [token, holder] : access_tokens_) {
    if (email && holder.email != *email) continue;
    holder.expires_at = std::chrono::system_clock::now();
    ++expired;
  }
  return json_response(200, {{"expired", expired}});
}

// The BMX API calls received, in order; ?path_prefix= narrows them.
Response Sandbox::requests_seen(const Request& request) {
  std::lock_guard lock(mutex_);
  const auto prefix = wire::text_param(request, "path_prefix");
  nlohmann::json data = nlohmann::json::array();
  for (const auto& item : requests_) {
    if (prefix && item["path"].get<std::string>().rfind(*prefix, 0) != 0) continue;
    data.push_back(item);
  }
  return json_response(200, {{"data", data}});
}

// What reached the sandbox as SMS provider, SMTP server or push provider;
// ?channel= and ?to= narrow it.
Response Sandbox::messages_seen(const Request& request) {
  std::lock_guard lock(mutex_);
  const auto channel = wire::text_param(request, "channel");
  const auto to = wire::text_param(request, "to");
  nlohmann::json data = nlohmann::json::array();
  for (const auto& message : messages_) {
    if (channel && message["channel"] != *channel) continue;
    if (to && !wire::equals_ci(message["to"].get<std::string>(), *to)) continue;
    data.push_back(message);
  }
  return json_response(200, {{"data", data}});
}

void Sandbox::add_control_routes(frontdoor::http::Router& router) {
  router.add("POST", "/_sandbox/buildings",
             [this](Request& request) { return seed_building(request); });
  // Changes what a tenant set in the BMX app: {contact_preference}.
  router.add("PATCH", "/_sandbox/tenants/{id}", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
    auto preference = fields.one_of("contact_preference", true, kContactPreferences);
    fields.finish();
    std::lock_guard lock(mutex_);
    auto id = wire::id_param(request, "id");
    if (!id || !tenants_.count(*id)) return wire::not_found();
    tenants_.at(*id).contact_preference = *preference;
    return wire::ok(tenant_json(tenants_.at(*id)));
  });

  router.add("POST", "/_sandbox/oauth/codes", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
    auto email = fields.email("email", true);
    fields.finish();
    std::lock_guard lock(mutex_);
    const auto code = frontdoor::common::random_hex(16);
    codes_[code] = *email;
    return json_response(201, {{"code", code}});
  });

  router.add("POST", "/_sandbox/oauth/expire",
             [this](Request& request) { return expire_tokens(request); });

  router.add("GET", "/_sandbox/requests",
             [this](Request& request) { return requests_seen(request); });

  router.add("GET", "/_sandbox/messages",
             [this](Request& request) { return messages_seen(request); });

  // The webhook deliveries attempted, with the status frontdoor answered.
  router.add("GET", "/_sandbox/webhooks", [this](Request&) {
    std::lock_guard lock(mutex_);
    return json_response(200, {{"data", webhook_log_}});
  });

  router.add("POST", "/_sandbox/faults", [this](Request& request) {
    auto fault = fault_of(request);
    std::lock_guard lock(mutex_);
    faults_.push_back(std::move(fault));
    return json_response(201, {{"faults", faults_.size()}});
  });
  router.add("DELETE", "/_sandbox/faults", [this](Request&) {
    std::lock_guard lock(mutex_);
    faults_.clear();
    return Response::no_content();
  });
  router.add("POST", "/_sandbox/reset", [this](Request&) {
    reset();
    return Response::no_content();
  });
}

}  // namespace bmx_sandbox
