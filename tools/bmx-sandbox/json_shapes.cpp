// Each record as BMX's v4 API writes it (the published schemas in
// third_party/butterflymx/): the one place the sandbox's JSON shapes live.
#include "frontdoor/common/time.hpp"
#include "frontdoor/common/zone.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

nlohmann::json optional_time(const std::optional<TimePoint>& time) {
  return time ? nlohmann::json(frontdoor::common::to_rfc3339(*time)) : nlohmann::json(nullptr);
}

nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json Sandbox::building_json(const Building& building) const {
  return {{"created_at", building.created_at},
          {"id", building.id},
          {"name", building.name},
          {"updated_at", building.created_at},
          {"time_zone", building.time_zone},
          {"address",
           {{"city", "New York"},
            {"country", "us"},
            {"county", nullptr},
            {"state", "NY"},
            {"zip_code", "10001"},
            {"address", "1 Sandbox Way"}}}};
}

nlohmann::json Sandbox::unit_json(const Unit& unit) const {
  return {{"created_at", unit.created_at}, {"id", unit.id},
          {"label", unit.label},           {"updated_at", unit.created_at},
          {"floor", unit.floor},           {"building_id", unit.building_id}};
}

nlohmann::json Sandbox::tenant_json(const Tenant& tenant) const {
  const auto& building = buildings_.at(tenant.building_id);
  const auto& unit = units_.at(tenant.unit_id);
  return {{"created_at", tenant.created_at},
          {"full_name", nullptr},
          {"id", tenant.id},
          {"updated_at", tenant.created_at},
          {"first_name", tenant.first_name},
          {"last_name", tenant.last_name},
          {"building_id", building.id},
          {"building_name", building.name},
          {"inactive_after", nullptr},
          {"building_timezone", building.time_zone},
          {"email", tenant.email},
          {"contact_preference", tenant.contact_preference},
          {"registration_status", "registered"},
          {"invitation", nullptr},
          {"unit",
           {{"created_at", unit.created_at},
            {"id", unit.id},
            {"label", unit.label},
            {"updated_at", unit.created_at},
            {"floor", unit.floor}}},
          {"notification_preference",
           {{"email", true},
            {"sms", true},
            {"do_not_disturb", false},
            {"preferences",
             {{"door_opens", {{"push", true}, {"email", false}, {"sms", nullptr}}},
              {"messages", {{"push", true}, {"email", false}, {"sms", false}}}}}}}};
}

nlohmann::json Sandbox::device_json(const Device& device) const {
  return {{"created_at", device.created_at},
          {"id", device.id},
          {"model", nullptr},
          {"name", device.name},
          {"serial_number", nullptr},
          {"updated_at", device.created_at},
          {"building_id", device.building_id},
          {"type", device.type}};
}

nlohmann::json Sandbox::access_point_json(const AccessPoint& access_point) const {
  return {{"created_at", access_point.created_at},
          {"id", access_point.id},
          {"name", access_point.name},
          {"updated_at", access_point.created_at},
          {"building_id", access_point.building_id},
          {"device_ids", access_point.device_ids},
          {"open_hours", nlohmann::json::array()}};
}

nlohmann::json Sandbox::keychain_json(const Keychain& keychain) const {
  std::vector<std::int64_t> key_ids;
  for (const auto& [id, key] : virtual_keys_) {
    if (key.keychain_id == keychain.id) key_ids.push_back(id);
  }
  nlohmann::json json = {{"id", keychain.id},
                         {"created_at", keychain.created_at},
                         {"updated_at", keychain.created_at},
                         {"name", keychain.name},
                         {"starts_at", frontdoor::common::to_rfc3339(keychain.starts_at)},
                         {"ends_at", frontdoor::common::to_rfc3339(keychain.ends_at)},
                         {"type", keychain.type},
                         {"building_id", keychain.building_id},
                         {"tenant_id", keychain.tenant_id},
                         {"unit_id", keychain.unit_id},
                         {"virtual_key_ids", key_ids},
                         {"access_point_ids", keychain.access_point_ids},
                         {"device_ids", keychain.device_ids}};
  if (keychain.weekly) {
    json["start_date"] = frontdoor::common::date_text(keychain.weekly->start_date);
    json["end_date"] = frontdoor::common::date_text(keychain.weekly->end_date);
    json["time_from"] = frontdoor::common::clock_text(keychain.weekly->time_from);
    json["time_to"] = frontdoor::common::clock_text(keychain.weekly->time_to);
    json["weekdays"] = keychain.weekly->weekdays;
  }
  return json;
}

nlohmann::json Sandbox::virtual_key_json(const VirtualKey& key) const {
  const auto base =
      options_.public_url + "/_sandbox/virtual_keys/" + std::to_string(key.id) + "/" + key.secret;
  return {{"created_at", key.created_at},
          {"email", text_or_null(key.email)},
          {"first_used_at", optional_time(key.first_used_at)},
          {"id", key.id},
          {"keychain_id", key.keychain_id},
          {"last_used_at", optional_time(key.last_used_at)},
          {"name", key.name},
          {"sent_at", optional_time(key.sent_at)},
          {"sms_number", text_or_null(key.sms_number)},
          {"updated_at", key.created_at},
          {"usage_count", key.usage_count},
          {"qr_code_url", base + "/qr"},
          {"pin_code", key.pin_code},
          {"building_id", keychains_.at(key.keychain_id).building_id},
          {"instructions_url", base}};
}

nlohmann::json Sandbox::call_json(const Call& call) const {
  return {{"id", call.id},
          {"building_id", call.building_id},
          {"logged_at", call.logged_at},
          {"notification_type", "visitor"},
          {"recipient", {{"id", call.tenant_id}, {"type", "Tenant"}}},
          {"unit", {{"id", call.unit_id}}},
          {"device", {{"id", call.device_id}, {"name", devices_.at(call.device_id).name}}},
          {"status", call.status},
          {"image_url", options_.public_url + "/_sandbox/snapshots/" + std::to_string(call.id)}};
}

nlohmann::json Sandbox::access_log_json(const AccessLog& log) const {
  // Ids that are unknown (a scan of a code no key has) are null, as BMX shows them.
  const auto id_or_null = [](std::int64_t id) {
    return id == 0 ? nlohmann::json(nullptr) : nlohmann::json(id);
  };
  return {{"id", log.id},
          {"logged_at", log.logged_at},
          {"access_point", id_or_null(log.access_point_id)},
          {"release_status", log.release_status},
          {"name", log.name.empty() ? "Unknown" : log.name},
          {"release_type", log.release_type},
          {"unit", id_or_null(log.unit_id)},
          {"tenant_id", id_or_null(log.tenant_id)},
          {"entry_method", log.entry_method},
          {"image_url", options_.public_url + "/_sandbox/snapshots/" + std::to_string(log.id)}};
}

nlohmann::json Sandbox::integration_json(const Integration& integration) const {
  auto attributes = integration.attributes;
  attributes[integration.scope + "_id"] = integration.owner_id;
  return {
      {"id", std::to_string(integration.id)}, {"type", "integrations"}, {"attributes", attributes}};
}

}  // namespace bmx_sandbox
