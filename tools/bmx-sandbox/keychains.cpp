// Keychains (NOTES.md, "Keychains and virtual keys"): created per type with
// BMX's validation, listed, read and deleted with their keys.
#include <algorithm>

#include "frontdoor/common/time.hpp"
#include "frontdoor/common/zone.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::Request;
using frontdoor::http::Response;
using wire::field_error;

constexpr auto kCustomKeychainLongest = std::chrono::hours(24 * 366);
// BMX gives a delivery pass a month from its creation.
constexpr auto kDeliveryPassLasts = std::chrono::hours(24 * 30);

// The fields each keychain type takes (additionalProperties: false).
const std::vector<std::string>& allowed_fields(const std::string& type) {
  static const std::vector<std::string> kTimed = {
      "name",    "tenant_id",  "unit_id",          "allow_unit_access", "starts_at",
      "ends_at", "recipients", "access_point_ids", "device_ids"};
  static const std::vector<std::string> kRecurring = {
      "name",      "tenant_id", "unit_id",  "allow_unit_access", "start_date",       "end_date",
      "time_from", "time_to",   "weekdays", "recipients",        "access_point_ids", "device_ids"};
  static const std::vector<std::string> kDelivery = {"name", "tenant_id", "unit_id"};
  if (type == "recurring_keychain") return kRecurring;
  if (type == "delivery_pass") return kDelivery;
  return kTimed;
}

// The weekly windows of a recurring keychain; problems are added to `problems`.
std::optional<WeeklyWindows> weekly_from(const nlohmann::json& spec, nlohmann::json& problems) {
  WeeklyWindows weekly;
  const auto text = [&](const char* name) {
    return spec.contains(name) && spec[name].is_string() ? spec[name].get<std::string>()
                                                         : std::string();
  };
  const auto from = frontdoor::common::parse_clock_time(text("time_from"));
  const auto to = frontdoor::common::parse_clock_time(text("time_to"));
  const auto start = frontdoor::common::parse_local_date(text("start_date"));
  const auto end = frontdoor::common::parse_local_date(text("end_date"));
  const auto before = problems.size();
  if (!from) problems.push_back(field_error("time_from", "invalid", "must be a time"));
  if (!to) problems.push_back(field_error("time_to", "invalid", "must be a time"));
  if (!start) problems.push_back(field_error("start_date", "invalid", "must be a date"));
  if (!end) problems.push_back(field_error("end_date", "invalid", "must be a date"));
  if (!spec.contains("weekdays") || !spec["weekdays"].is_array() || spec["weekdays"].empty()) {
    problems.push_back(field_error("weekdays", "blank", "can't be blank"));
  } else {
    for (const auto& day : spec["weekdays"]) {
      if (!day.is_string() || !frontdoor::common::weekday_named(day.get<std::string>())) {
        problems.push_back(field_error("weekdays", "invalid", "must be weekday names"));
        break;
      }
      weekly.weekdays.push_back(day.get<std::string>());
    }
  }
  if (from && to && *from >= *to) {
    problems.push_back(
        field_error("time_from", "must_be_less_than_time_to", "must be less than time to"));
    problems.push_back(
        field_error("time_to", "must_be_greater_than_time_from", "must be greater than time from"));
  }
  if (start && end && *start > *end) {
    problems.push_back(
        field_error("end_date", "must_be_after_start_date", "must be after the start date"));
  }
  if (problems.size() != before) return std::nullopt;
  weekly.time_from = *from;
  weekly.time_to = *to;
  weekly.start_date = *start;
  weekly.end_date = *end;
  return weekly;
}

std::vector<std::int64_t> id_list(const nlohmann::json& body, const char* name,
                                  nlohmann::json& problems) {
  std::vector<std::int64_t> ids;
  if (!body.contains(name)) return ids;
  if (!body[name].is_array()) {
    problems.push_back(field_error(name, "invalid", "must be an array of integers"));
    return ids;
  }
  for (const auto& item : body[name]) {
    if (!item.is_number_integer()) {
      problems.push_back(field_error(name, "invalid", "must be an array of integers"));
      return {};
    }
    ids.push_back(item.get<std::int64_t>());
  }
  return ids;
}

// The fields a keychain may not have, and its name.
nlohmann::json field_problems(const nlohmann::json& spec, const std::string& type) {
  nlohmann::json problems = nlohmann::json::array();
  const auto& allowed = allowed_fields(type);
  for (const auto& [key, value] : spec.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problems.push_back(field_error(key, "unpermitted_parameter", "is not permitted"));
    }
  }
  if (!spec.contains("name") || !spec["name"].is_string() ||
      spec["name"].get<std::string>().empty()) {
    problems.push_back(field_error("name", "blank", "can't be blank"));
  }
  return problems;
}

// starts_at and ends_at of a custom or one_time keychain.
void times_of(const nlohmann::json& spec, KeychainSpec& parsed, nlohmann::json& problems) {
  for (const char* name : {"starts_at", "ends_at"}) {
    auto& slot = std::string(name) == "starts_at" ? parsed.starts : parsed.ends;
    if (spec.contains(name) && spec[name].is_string()) {
      slot = frontdoor::common::parse_rfc3339(spec[name].get<std::string>());
    }
    if (!slot) problems.push_back(field_error(name, "invalid", "must be a date-time"));
  }
}

// The window must be the right way round and at most a year long.
void check_window(const KeychainSpec& parsed, nlohmann::json& problems) {
  if (!parsed.starts || !parsed.ends) return;
  if (*parsed.starts >= *parsed.ends) {
    problems.push_back(field_error("starts_at", "start_time_must_be_before_the_end_time",
                                   "Start time must be before the end time"));
    problems.push_back(field_error("ends_at", "end_time_must_be_after_the_start_time",
                                   "End time must be after the start time"));
  } else if (*parsed.ends - *parsed.starts > kCustomKeychainLongest) {
    problems.push_back(
        field_error("ends_at", "too_long", "must be within a year of the start time"));
  }
}

std::vector<std::string> recipients_of(const nlohmann::json& spec, nlohmann::json& problems) {
  std::vector<std::string> recipients;
  if (!spec.contains("recipients")) return recipients;
  if (!spec["recipients"].is_array()) {
    problems.push_back(field_error("recipients", "invalid", "must be an array of strings"));
    return recipients;
  }
  for (const auto& item : spec["recipients"]) {
    if (item.is_string()) recipients.push_back(item.get<std::string>());
  }
  return recipients;
}

// The 422 BMX answers for a keychain with no tenant the caller may act for.
Response no_tenant() {
  return wire::errors(
      422, {field_error("building", "blank", "must exist"),
            field_error("base", "must_have_an_associated_unit_or_tenant",
                        "must have an associated unit or tenant"),
            field_error("unit_id", "must_have_an_associated_unit", "must have an associated unit"),
            field_error("units_user_id", "must_have_an_associated_tenant",
                        "must have an associated tenant")});
}

}  // namespace

Response Sandbox::create_keychain(const Request& request, const Caller& me,
                                  const std::string& type) {
  auto body = wire::json_body(request);
  if (!body || !body->contains("keychain") || !(*body)["keychain"].is_object()) {
    return wire::error(422, "keychain", "blank", "can't be blank");
  }
  const auto& spec = (*body)["keychain"];
  auto problems = field_problems(spec, type);
  KeychainSpec parsed;
  parsed.type = type;
  if (type == "custom_keychain" || type == "one_time_keychain") times_of(spec, parsed, problems);
  if (type == "recurring_keychain") parsed.weekly = weekly_from(spec, problems);
  // The tenant the keychain belongs to: given, or the unit's first tenant.
  std::optional<std::int64_t> tenant_id;
  if (spec.contains("tenant_id") && spec["tenant_id"].is_number_integer()) {
    tenant_id = spec["tenant_id"].get<std::int64_t>();
  }
  if (!tenant_id || !can_act_for_tenant(me, *tenant_id)) return no_tenant();
  const auto& tenant = tenants_.at(*tenant_id);
  window_by_type(parsed, buildings_.at(tenant.building_id).time_zone);
  check_window(parsed, problems);
  parsed.access_point_ids = id_list(spec, "access_point_ids", problems);
  parsed.device_ids = id_list(spec, "device_ids", problems);
  check_in_building(parsed, tenant.building_id, problems);
  const auto recipients = recipients_of(spec, problems);
  if (!problems.empty()) return wire::errors(422, problems);
  parsed.name = spec["name"].get<std::string>();
  const auto& keychain = add_keychain(std::move(parsed), tenant);
  for (const auto& recipient : recipients) {
    const bool is_email = recipient.find('@') != std::string::npos;
    create_virtual_key(keychain, recipient, is_email ? wire::lower(recipient) : "",
                       is_email ? "" : recipient, "");
  }
  return wire::created(keychain_json(keychain));
}

void Sandbox::window_by_type(KeychainSpec& parsed, const std::string& zone) const {
  const auto created = std::chrono::system_clock::now();
  if (parsed.weekly) {
    // From the first day's time_from to the last day's time_to, locally.
    parsed.starts =
        frontdoor::common::instant_of(zone, parsed.weekly->start_date, parsed.weekly->time_from,
                                      frontdoor::common::Ambiguity::earliest);
    parsed.ends =
        frontdoor::common::instant_of(zone, parsed.weekly->end_date, parsed.weekly->time_to,
                                      frontdoor::common::Ambiguity::latest);
  } else if (parsed.type == "delivery_pass") {
    parsed.starts = created;
    parsed.ends = created + kDeliveryPassLasts;
  }
}

void Sandbox::check_in_building(const KeychainSpec& parsed, std::int64_t building_id,
                                nlohmann::json& problems) const {
  for (auto id : parsed.access_point_ids) {
    auto found = access_points_.find(id);
    if (found == access_points_.end() || found->second.building_id != building_id) {
      problems.push_back(field_error("access_point_ids", "invalid", "must exist in the building"));
    }
  }
  for (auto id : parsed.device_ids) {
    auto found = devices_.find(id);
    if (found == devices_.end() || found->second.building_id != building_id) {
      problems.push_back(field_error("device_ids", "invalid", "must exist in the building"));
    }
  }
}

const Sandbox::Keychain& Sandbox::add_keychain(KeychainSpec parsed, const Tenant& tenant) {
  // With no access points named, the key opens every one in the building.
  if (parsed.access_point_ids.empty() && parsed.device_ids.empty()) {
    for (const auto& [id, access_point] : access_points_) {
      if (access_point.building_id == tenant.building_id) parsed.access_point_ids.push_back(id);
    }
  }
  Keychain keychain{next_id(),
                    parsed.type,
                    parsed.name,
                    tenant.building_id,
                    tenant.id,
                    tenant.unit_id,
                    *parsed.starts,
                    *parsed.ends,
                    parsed.access_point_ids,
                    parsed.device_ids,
                    frontdoor::common::to_rfc3339(std::chrono::system_clock::now()),
                    parsed.weekly};
  const auto& added = keychains_[keychain.id] = keychain;
  // A delivery pass always holds exactly one key, made with it.
  if (added.type == "delivery_pass") create_virtual_key(added, added.name, "", "", "");
  return added;
}

void Sandbox::add_keychain_routes(frontdoor::http::Router& router) {
  const std::vector<std::pair<std::string, std::string>> types = {
      {"/v4/keychains/custom", "custom_keychain"},
      {"/v4/keychains/one_time", "one_time_keychain"},
      {"/v4/keychains/recurring", "recurring_keychain"},
      {"/v4/keychains/delivery_pass", "delivery_pass"}};
  for (const auto& route : types) {
    router.add("POST", route.first,
               for_caller([this, type = route.second](const Request& request, const Caller& me) {
                 return create_keychain(request, me, type);
               }));
  }
  const auto keychain_visible = [this](const Caller& me, const Keychain& keychain) {
    return can_act_for_tenant(me, keychain.tenant_id);
  };
  router.add("GET", "/v4/keychains", bmx_route([this, keychain_visible](Request& request) {
               return list_of(
                   request, keychains_, keychain_visible,
                   [](const Keychain& keychain) {
                     return wire::FilterValues{
                         {"name", {keychain.name}},
                         {"tenant_id", {std::to_string(keychain.tenant_id)}},
                         {"unit_id", {std::to_string(keychain.unit_id)}},
                         {"building_id", {std::to_string(keychain.building_id)}},
                         {"starts_at", {frontdoor::common::to_rfc3339(keychain.starts_at)}},
                         {"ends_at", {frontdoor::common::to_rfc3339(keychain.ends_at)}}};
                   },
                   [this](const Keychain& keychain) { return keychain_json(keychain); });
             }));

  router.add("GET", "/v4/keychains/{id}", bmx_route([this, keychain_visible](Request& request) {
               return one_of(request, keychains_, keychain_visible,
                             [this](const Keychain& keychain) { return keychain_json(keychain); });
             }));

  router.add("DELETE", "/v4/keychains/{id}", bmx_route([this, keychain_visible](Request& request) {
               return as_caller(request, [&](const Caller& me) {
                 const auto* keychain = find_visible(request, me, keychains_, keychain_visible);
                 if (!keychain) return wire::not_found();
                 const auto id = keychain->id;
                 std::erase_if(virtual_keys_,
                               [&](const auto& item) { return item.second.keychain_id == id; });
                 keychains_.erase(id);
                 return Response::no_content();
               });
             }));
}

}  // namespace bmx_sandbox
