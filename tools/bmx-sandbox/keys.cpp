// Virtual keys (NOTES.md, "Keychains and virtual keys"), the pages BMX sends
// their holders, and the panel scan that checks a QR payload or PIN against them.
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
using wire::field_error;

// After its first use a one-time key works for 15 more minutes, a delivery
// pass's for 5 (the keychain list's description in the OpenAPI file).
constexpr auto kOneTimeGrace = std::chrono::minutes(15);
constexpr auto kDeliveryGrace = std::chrono::minutes(5);

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

// A one_time or delivery key lets its visitor in again for a few minutes after
// the first use (an inner door), and no more.
template <typename Keychain, typename Key>
bool used_up(const Keychain& keychain, const Key& key, TimePoint now) {
  if (!key.first_used_at) return false;
  if (keychain.type == "one_time_keychain") return now > *key.first_used_at + kOneTimeGrace;
  if (keychain.type == "delivery_pass") return now > *key.first_used_at + kDeliveryGrace;
  return false;
}

}  // namespace

Response Sandbox::create_virtual_key_from(const Request& request, const Caller& me) {
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
  auto& key =
      create_virtual_key(keychain->second, body->value("name", std::string()), email, sms, pin);
  return wire::created(virtual_key_json(key));
}

std::string Sandbox::judge_scan(const VirtualKey* key, TimePoint now) const {
  std::string reason = "granted";
  if (!key) {
    reason = "unknown_code";
  } else {
    const auto& keychain = keychains_.at(key->keychain_id);
    if (now < keychain.starts_at) {
      reason = "not_yet_valid";
    } else if (now > keychain.ends_at) {
      reason = "expired";
    } else if (used_up(keychain, *key, now)) {
      reason = "already_used";
    } else if (keychain.weekly) {
      const auto& zone = buildings_.at(keychain.building_id).time_zone;
      reason = outside_weekly(*keychain.weekly, frontdoor::common::local_moment(zone, now))
                   .value_or("granted");
    }
  }
  return reason;
}

Sandbox::AccessLog Sandbox::record_scan(const Device& device, VirtualKey* key, TimePoint now,
                                        bool granted) {
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
  return log;
}

Response Sandbox::scan(const Request& request) {
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
  const auto reason = judge_scan(key, now);
  const bool granted = reason == "granted";
  const auto log = record_scan(device, key, now, granted);
  publish("access_log", access_log_json(log), log.building_id,
          log.tenant_id ? std::optional<std::int64_t>(log.tenant_id) : std::nullopt,
          {"door_release"});
  return json_response(200, {{"granted", granted}, {"reason", reason}, {"access_log_id", log.id}});
}

void Sandbox::add_key_routes(frontdoor::http::Router& router) {
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

  router.add("POST", "/v4/virtual_keys",
             for_caller([this](const Request& request, const Caller& me) {
               return create_virtual_key_from(request, me);
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

  router.add("POST", "/_sandbox/panels/{device_id}/scans",
             [this](Request& request) { return scan(request); });
}

}  // namespace bmx_sandbox
