// Keychains and virtual keys (NOTES.md, "Keychains and virtual keys"), and the
// panel scan that checks a QR payload or PIN against them.
#include <algorithm>

#include "frontdoor/common/time.hpp"
#include "frontdoor/common/zone.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

constexpr auto kCustomKeychainLongest = std::chrono::hours(24 * 366);
// After its first use a one-time key works for 15 more minutes, a delivery
// pass's for 5 (the keychain list's description in the OpenAPI file).
constexpr auto kOneTimeGrace = std::chrono::minutes(15);
constexpr auto kDeliveryGrace = std::chrono::minutes(5);
// BMX gives a delivery pass a month from its creation.
constexpr auto kDeliveryPassLasts = std::chrono::hours(24 * 30);

nlohmann::json field_error(const std::string& field, const std::string& code,
                           const std::string& message) {
  return {{"field", field}, {"code", code}, {"message", message}};
}

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

// Why a scan at `now` (the building's wall clock in `local`) does not open
// with this recurring keychain, or nothing when it does.
std::optional<std::string> outside_weekly(const WeeklyWindows& weekly,
                                          const frontdoor::common::LocalMoment& local) {
  const auto day = frontdoor::common::weekday_name(std::chrono::weekday(local.day));
  if (local.day < weekly.start_date || local.day > weekly.end_date ||
      std::find(weekly.weekdays.begin(), weekly.weekdays.end(), day) == weekly.weekdays.end() ||
      local.time_of_day < weekly.time_from || local.time_of_day >= weekly.time_to) {
    return "outside_schedule";
  }
  return std::nullopt;
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

// A PIN BMX would accept: six digits, not all alike, not a straight run.
std::optional<nlohmann::json> weak_pin(const std::string& pin) {
  nlohmann::json problems = nlohmann::json::array();
  const bool digits = !pin.empty() && std::all_of(pin.begin(), pin.end(),
                                                  [](unsigned char c) { return std::isdigit(c); });
  bool same = true, run_up = true, run_down = true;
  for (std::size_t i = 1; i < pin.size(); ++i) {
    same = same && pin[i] == pin[0];
    run_up = run_up && pin[i] == pin[i - 1] + 1;
    run_down = run_down && pin[i] == pin[i - 1] - 1;
  }
  if (!digits || same || run_up || run_down) {
    problems.push_back(
        field_error("code", "low_entropy", "isn't strong enough, try a different value"));
  }
  if (pin.size() != 6) {
    problems.push_back(
        field_error("code", "wrong_length", "is the wrong length (should be 6 characters)"));
  }
  if (problems.empty()) return std::nullopt;
  return problems;
}

}  // namespace

void Sandbox::add_key_routes(frontdoor::http::Router& router) {
  const auto create_keychain = [this](const std::string& type) {
    return bmx_route([this, type](Request& request) {
      return as_caller(request, [&](const Caller& me) {
        auto body = wire::json_body(request);
        if (!body || !body->contains("keychain") || !(*body)["keychain"].is_object()) {
          return wire::error(422, "keychain", "blank", "can't be blank");
        }
        const auto& spec = (*body)["keychain"];
        nlohmann::json problems = nlohmann::json::array();
        const auto& kAllowed = allowed_fields(type);
        for (const auto& [key, value] : spec.items()) {
          if (std::find(kAllowed.begin(), kAllowed.end(), key) == kAllowed.end()) {
            problems.push_back(field_error(key, "unpermitted_parameter", "is not permitted"));
          }
        }
        if (!spec.contains("name") || !spec["name"].is_string() ||
            spec["name"].get<std::string>().empty()) {
          problems.push_back(field_error("name", "blank", "can't be blank"));
        }
        const bool timed = type == "custom_keychain" || type == "one_time_keychain";
        std::optional<TimePoint> starts, ends;
        for (const char* name : {"starts_at", "ends_at"}) {
          if (!timed) break;
          auto& slot = std::string(name) == "starts_at" ? starts : ends;
          if (spec.contains(name) && spec[name].is_string()) {
            slot = frontdoor::common::parse_rfc3339(spec[name].get<std::string>());
          }
          if (!slot) problems.push_back(field_error(name, "invalid", "must be a date-time"));
        }
        std::optional<WeeklyWindows> weekly;
        if (type == "recurring_keychain") weekly = weekly_from(spec, problems);
        // The tenant the keychain belongs to: given, or the unit's first tenant.
        std::optional<std::int64_t> tenant_id;
        if (spec.contains("tenant_id") && spec["tenant_id"].is_number_integer()) {
          tenant_id = spec["tenant_id"].get<std::int64_t>();
        }
        if (!tenant_id || !can_act_for_tenant(me, *tenant_id)) {
          return wire::errors(422, {field_error("building", "blank", "must exist"),
                                    field_error("base", "must_have_an_associated_unit_or_tenant",
                                                "must have an associated unit or tenant"),
                                    field_error("unit_id", "must_have_an_associated_unit",
                                                "must have an associated unit"),
                                    field_error("units_user_id", "must_have_an_associated_tenant",
                                                "must have an associated tenant")});
        }
        const auto& tenant = tenants_.at(*tenant_id);
        const auto& zone = buildings_.at(tenant.building_id).time_zone;
        const auto created = std::chrono::system_clock::now();
        if (weekly) {
          // From the first day's time_from to the last day's time_to, locally.
          starts = frontdoor::common::instant_of(zone, weekly->start_date, weekly->time_from,
                                                 frontdoor::common::Ambiguity::earliest);
          ends = frontdoor::common::instant_of(zone, weekly->end_date, weekly->time_to,
                                               frontdoor::common::Ambiguity::latest);
        } else if (type == "delivery_pass") {
          starts = created;
          ends = created + kDeliveryPassLasts;
        }
        if (starts && ends && *starts >= *ends) {
          problems.push_back(field_error("starts_at", "start_time_must_be_before_the_end_time",
                                         "Start time must be before the end time"));
          problems.push_back(field_error("ends_at", "end_time_must_be_after_the_start_time",
                                         "End time must be after the start time"));
        } else if (starts && ends && *ends - *starts > kCustomKeychainLongest) {
          problems.push_back(
              field_error("ends_at", "too_long", "must be within a year of the start time"));
        }
        auto access_point_ids = id_list(spec, "access_point_ids", problems);
        auto device_ids = id_list(spec, "device_ids", problems);
        for (auto id : access_point_ids) {
          auto found = access_points_.find(id);
          if (found == access_points_.end() || found->second.building_id != tenant.building_id) {
            problems.push_back(
                field_error("access_point_ids", "invalid", "must exist in the building"));
          }
        }
        for (auto id : device_ids) {
          auto found = devices_.find(id);
          if (found == devices_.end() || found->second.building_id != tenant.building_id) {
            problems.push_back(field_error("device_ids", "invalid", "must exist in the building"));
          }
        }
        std::vector<std::string> recipients;
        if (spec.contains("recipients")) {
          if (!spec["recipients"].is_array()) {
            problems.push_back(field_error("recipients", "invalid", "must be an array of strings"));
          } else {
            for (const auto& item : spec["recipients"]) {
              if (item.is_string()) recipients.push_back(item.get<std::string>());
            }
          }
        }
        if (!problems.empty()) return wire::errors(422, problems);
        // With no access points named, the key opens every one in the building.
        if (access_point_ids.empty() && device_ids.empty()) {
          for (const auto& [id, access_point] : access_points_) {
            if (access_point.building_id == tenant.building_id) access_point_ids.push_back(id);
          }
        }
        Keychain keychain{next_id(),
                          type,
                          spec["name"].get<std::string>(),
                          tenant.building_id,
                          tenant.id,
                          tenant.unit_id,
                          *starts,
                          *ends,
                          access_point_ids,
                          device_ids,
                          frontdoor::common::to_rfc3339(created),
                          weekly};
        keychains_[keychain.id] = keychain;
        // A delivery pass always holds exactly one key, made with it.
        if (type == "delivery_pass") create_virtual_key(keychain, keychain.name, "", "", "");
        for (const auto& recipient : recipients) {
          const bool is_email = recipient.find('@') != std::string::npos;
          create_virtual_key(keychain, recipient, is_email ? wire::lower(recipient) : "",
                             is_email ? "" : recipient, "");
        }
        return wire::created(keychain_json(keychain));
      });
    });
  };
  router.add("POST", "/v4/keychains/custom", create_keychain("custom_keychain"));
  router.add("POST", "/v4/keychains/one_time", create_keychain("one_time_keychain"));
  router.add("POST", "/v4/keychains/recurring", create_keychain("recurring_keychain"));
  router.add("POST", "/v4/keychains/delivery_pass", create_keychain("delivery_pass"));

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

  const auto key_visible = [this](const Caller& me, const VirtualKey& key) {
    return can_act_for_tenant(me, keychains_.at(key.keychain_id).tenant_id);
  };
  router.add(
      "GET", "/v4/virtual_keys", bmx_route([this, key_visible](Request& request) {
        return list_of(
            request, virtual_keys_, key_visible,
            [this](const VirtualKey& key) {
              return wire::FilterValues{
                  {"name", {key.name}},
                  {"email", {key.email}},
                  {"sms_number", {key.sms_number}},
                  {"keychain_id", {std::to_string(key.keychain_id)}},
                  {"building_id", {std::to_string(keychains_.at(key.keychain_id).building_id)}},
                  {"id", {std::to_string(key.id)}}};
            },
            [this](const VirtualKey& key) { return virtual_key_json(key); });
      }));

  router.add(
      "POST", "/v4/virtual_keys", bmx_route([this](Request& request) {
        return as_caller(request, [&](const Caller& me) {
          auto body = wire::json_body(request);
          if (!body) return wire::error(422, "keychain_id", "blank", "can't be blank");
          nlohmann::json problems = nlohmann::json::array();
          for (const auto& [key, value] : body->items()) {
            if (key != "keychain_id" && key != "name" && key != "email" && key != "sms_number" &&
                key != "pin_code") {
              problems.push_back(field_error(key, "unpermitted_parameter", "is not permitted"));
            } else if (key == "keychain_id" ? !value.is_number_integer() : !value.is_string()) {
              problems.push_back(field_error(key, "invalid", "has the wrong type"));
            }
          }
          if (!problems.empty()) return wire::errors(422, problems);
          const auto keychain_id = body->value("keychain_id", std::int64_t{0});
          auto keychain = keychains_.find(keychain_id);
          if (keychain == keychains_.end() || !can_act_for_tenant(me, keychain->second.tenant_id)) {
            return wire::error(422, "keychain", "blank", "must exist");
          }
          const auto pin = body->value("pin_code", std::string());
          if (!pin.empty()) {
            if (auto weak = weak_pin(pin)) return wire::errors(422, *weak);
          }
          const auto email = wire::lower(body->value("email", std::string()));
          const auto sms = body->value("sms_number", std::string());
          auto& key = create_virtual_key(keychain->second, body->value("name", std::string()),
                                         email, sms, pin);
          return wire::created(virtual_key_json(key));
        });
      }));

  router.add("GET", "/v4/virtual_keys/{id}", bmx_route([this, key_visible](Request& request) {
               return one_of(request, virtual_keys_, key_visible,
                             [this](const VirtualKey& key) { return virtual_key_json(key); });
             }));

  router.add("DELETE", "/v4/virtual_keys/{id}", bmx_route([this, key_visible](Request& request) {
               return as_caller(request, [&](const Caller& me) {
                 const auto* key = find_visible(request, me, virtual_keys_, key_visible);
                 if (!key) return wire::not_found();
                 virtual_keys_.erase(key->id);
                 return Response::no_content();
               });
             }));

  // What a visitor's phone shows: the key's instructions with its QR payload and PIN.
  router.add("GET", "/_sandbox/virtual_keys/{id}/{secret}", [this](Request& request) {
    std::lock_guard lock(mutex_);
    auto id = wire::id_param(request, "id");
    if (!id || !virtual_keys_.count(*id) ||
        virtual_keys_.at(*id).secret != request.param("secret")) {
      return Response::text(404, "This key does not exist or was revoked.\n");
    }
    const auto& key = virtual_keys_.at(*id);
    return Response::text(200, "ButterflyMX virtual key " + std::to_string(key.id) +
                                   "\nQR payload: " + key.secret + "\nPIN: " + key.pin_code + "\n");
  });
  router.add("GET", "/_sandbox/virtual_keys/{id}/{secret}/qr", [this](Request& request) {
    std::lock_guard lock(mutex_);
    auto id = wire::id_param(request, "id");
    if (!id || !virtual_keys_.count(*id) ||
        virtual_keys_.at(*id).secret != request.param("secret")) {
      return Response::text(404, "This key does not exist or was revoked.\n");
    }
    // BMX serves a PNG here; the sandbox draws no images and serves what the QR encodes.
    return Response::text(200, virtual_keys_.at(*id).secret, "text/plain");
  });

  router.add("POST", "/_sandbox/panels/{device_id}/scans", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    frontdoor::http::JsonFields fields(body, frontdoor::http::UnknownFields::ignored);
    auto code = fields.string("code", true, 1, 200);
    // The sandbox's clock control: judge the scan as if it happened then.
    auto at_text = fields.string("at", false, 1, 64);
    std::optional<TimePoint> at;
    if (at_text) {
      at = frontdoor::common::parse_rfc3339(*at_text);
      if (!at) fields.add_error("at", "format", "Use RFC 3339, e.g. 2027-03-15T13:30:00Z.");
    }
    fields.finish();
    std::lock_guard lock(mutex_);
    auto device_id = wire::id_param(request, "device_id");
    if (!device_id || !devices_.count(*device_id)) return wire::not_found();
    const auto& device = devices_.at(*device_id);
    const auto now = at.value_or(std::chrono::system_clock::now());
    VirtualKey* key = nullptr;
    for (auto& [id, candidate] : virtual_keys_) {
      const auto& keychain = keychains_.at(candidate.keychain_id);
      if (keychain.building_id != device.building_id) continue;
      if (candidate.secret == *code || candidate.pin_code == *code) key = &candidate;
    }
    std::string reason = "granted";
    if (!key) {
      reason = "unknown_code";
    } else {
      const auto& keychain = keychains_.at(key->keychain_id);
      if (now < keychain.starts_at) {
        reason = "not_yet_valid";
      } else if (now > keychain.ends_at) {
        reason = "expired";
      } else if (keychain.type == "one_time_keychain" && key->first_used_at &&
                 now > *key->first_used_at + kOneTimeGrace) {
        reason = "already_used";
      } else if (keychain.type == "delivery_pass" && key->first_used_at &&
                 now > *key->first_used_at + kDeliveryGrace) {
        reason = "already_used";
      } else if (keychain.weekly) {
        const auto& zone = buildings_.at(keychain.building_id).time_zone;
        reason = outside_weekly(*keychain.weekly, frontdoor::common::local_moment(zone, now))
                     .value_or("granted");
      }
    }
    const bool granted = reason == "granted";
    AccessLog log;
    log.id = next_id();
    log.building_id = device.building_id;
    log.access_point_id = 0;
    for (const auto& [id, access_point] : access_points_) {
      if (std::find(access_point.device_ids.begin(), access_point.device_ids.end(), device.id) !=
          access_point.device_ids.end()) {
        log.access_point_id = id;
      }
    }
    log.release_status = granted ? "Unlocked" : "Denied";
    log.release_type = "Visitor";
    log.entry_method = "Visitor Pass (using QR code)";
    log.logged_at = frontdoor::common::to_rfc3339(now);
    if (key) {
      const auto& keychain = keychains_.at(key->keychain_id);
      log.name = key->name;
      log.unit_id = keychain.unit_id;
      log.tenant_id = keychain.tenant_id;
    } else {
      log.unit_id = 0;
      log.tenant_id = 0;
    }
    if (granted) {
      key->usage_count += 1;
      if (!key->first_used_at) key->first_used_at = now;
      key->last_used_at = now;
    }
    access_logs_[log.id] = log;
    publish("access_log", access_log_json(log), log.building_id,
            log.tenant_id ? std::optional<std::int64_t>(log.tenant_id) : std::nullopt,
            {"door_release"});
    return json_response(200,
                         {{"granted", granted}, {"reason", reason}, {"access_log_id", log.id}});
  });
}

}  // namespace bmx_sandbox
