#include "sandbox.hpp"

#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/common/zone.hpp"
#include "frontdoor/http/client.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::Request;
using frontdoor::http::Response;

constexpr std::chrono::seconds kAccessTokenLifetime{86400};
constexpr int kDeliveryAttempts = 3;

std::string now_text() { return frontdoor::common::to_rfc3339(std::chrono::system_clock::now()); }

// Six digits, never starting with 0 (BMX's PINs are 6 characters).
std::string random_pin() {
  const auto value = std::stoul(frontdoor::common::random_hex(4), nullptr, 16);
  return std::to_string(100000 + value % 900000);
}

}  // namespace

Sandbox::Sandbox(Options options)
    : options_(std::move(options)), delivery_thread_([this] { deliver_webhooks(); }) {}

Sandbox::~Sandbox() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  deliveries_ready_.notify_all();
  delivery_thread_.join();
}

void Sandbox::set_public_url(std::string url) {
  std::lock_guard lock(mutex_);
  options_.public_url = std::move(url);
}

void Sandbox::add_routes(frontdoor::http::Router& router) {
  add_oauth_routes(router);
  add_directory_routes(router);
  add_keychain_routes(router);
  add_key_routes(router);
  add_event_routes(router);
  add_integration_routes(router);
  add_provider_routes(router);
  add_control_routes(router);
  add_webhook_sink_routes(router);
  add_panel_routes(router);
}

frontdoor::http::Handler Sandbox::bmx_route(frontdoor::http::Handler handler) {
  return with_faults(std::move(handler), true);
}

frontdoor::http::Handler Sandbox::provider_route(frontdoor::http::Handler handler) {
  return with_faults(std::move(handler), false);
}

frontdoor::http::Handler Sandbox::with_faults(frontdoor::http::Handler handler, bool record) {
  return [this, record, handler = std::move(handler)](Request& request) {
    auto fault = take_fault(request, record);
    if (fault) {
      // Sleep outside the lock: a slow BMX must not stall the control routes.
      if (fault->delay_ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
      }
      if (fault->drop) {
        Response dropped;
        dropped.drop_connection = true;
        return dropped;
      }
      if (fault->status > 0) {
        auto response =
            wire::error(fault->status, "base", "injected_fault", "Injected by bmx-sandbox");
        if (fault->retry_after >= 0) {
          response.set_header("Retry-After", std::to_string(fault->retry_after));
        }
        return response;
      }
    }
    return handler(request);
  };
}

std::optional<Fault> Sandbox::take_fault(const Request& request, bool record) {
  std::lock_guard lock(mutex_);
  if (record) {
    requests_.push_back({{"method", request.method},
                         {"path", request.path},
                         {"query", request.target.find('?') == std::string::npos
                                       ? ""
                                       : request.target.substr(request.target.find('?') + 1)},
                         {"authorized", request.header("authorization").has_value()},
                         {"at", now_text()}});
  }
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!it->method.empty() && it->method != request.method) continue;
    if (request.path.rfind(it->path_prefix, 0) != 0) continue;
    Fault fault = *it;
    if (--it->times <= 0) faults_.erase(it);
    return fault;
  }
  return std::nullopt;
}

std::int64_t Sandbox::next_id() { return ++last_id_; }

nlohmann::json Sandbox::issue_token(const std::string& email) {
  const auto access = frontdoor::common::random_hex(32);
  const auto refresh = frontdoor::common::random_hex(32);
  const auto now = std::chrono::system_clock::now();
  access_tokens_[access] = {email, now + kAccessTokenLifetime};
  refresh_tokens_[refresh] = email;
  return {{"access_token", access},
          {"token_type", "Bearer"},
          {"expires_in", kAccessTokenLifetime.count()},
          {"refresh_token", refresh},
          {"scope", "public"},
          {"created_at",
           std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()}};
}

std::optional<Sandbox::Caller> Sandbox::caller(const Request& request) {
  auto header = request.header("authorization");
  if (!header || header->rfind("Bearer ", 0) != 0) return std::nullopt;
  auto found = access_tokens_.find(std::string(header->substr(7)));
  if (found == access_tokens_.end() ||
      found->second.expires_at <= std::chrono::system_clock::now()) {
    return std::nullopt;
  }
  Caller result{found->second.email, std::nullopt};
  for (const auto& [id, tenant] : tenants_) {
    if (tenant.email == result.email) result.tenant_id = id;
  }
  return result;
}

bool Sandbox::can_see_building(const Caller& caller, std::int64_t building_id) const {
  auto building = buildings_.find(building_id);
  if (building == buildings_.end()) return false;
  if (building->second.admins.count(caller.email) > 0) return true;
  return caller.is_tenant() && tenants_.at(*caller.tenant_id).building_id == building_id;
}

bool Sandbox::can_act_for_tenant(const Caller& caller, std::int64_t tenant_id) const {
  auto tenant = tenants_.find(tenant_id);
  if (tenant == tenants_.end()) return false;
  if (caller.tenant_id == tenant_id) return true;
  return buildings_.at(tenant->second.building_id).admins.count(caller.email) > 0;
}

Sandbox::VirtualKey& Sandbox::create_virtual_key(const Keychain& keychain, const std::string& name,
                                                 const std::string& email,
                                                 const std::string& sms_number,
                                                 const std::string& pin_code) {
  VirtualKey key;
  key.id = next_id();
  key.keychain_id = keychain.id;
  key.name = name;
  key.email = email;
  key.sms_number = sms_number;
  key.pin_code = pin_code.empty() ? random_pin() : pin_code;
  key.secret = "bmxvk_" + frontdoor::common::random_hex(16);
  key.created_at = now_text();
  auto& stored = virtual_keys_[key.id] = key;
  // BMX itself sends the key to its recipients.
  const auto json = virtual_key_json(stored);
  const nlohmann::json data = {{"virtual_key_id", key.id},
                               {"qr_code_url", json["qr_code_url"]},
                               {"instructions_url", json["instructions_url"]},
                               {"pin_code", key.pin_code},
                               {"qr_payload", key.secret}};
  const std::string text =
      "You have a ButterflyMX virtual key for " + buildings_.at(keychain.building_id).name +
      ". Show the QR code at the panel: " + json["instructions_url"].get<std::string>();
  if (!email.empty()) {
    record_message("email", email, "Your ButterflyMX virtual key", text, data);
    stored.sent_at = std::chrono::system_clock::now();
  }
  if (!sms_number.empty()) {
    record_message("sms", sms_number, "", text, data);
    stored.sent_at = std::chrono::system_clock::now();
  }
  return stored;
}

void Sandbox::record_message(const std::string& channel, const std::string& to,
                             const std::string& subject, const std::string& body,
                             const nlohmann::json& data) {
  messages_.push_back({{"channel", channel},
                       {"to", to},
                       {"subject", subject},
                       {"body", body},
                       {"data", data},
                       {"at", now_text()}});
}

void Sandbox::publish(const std::string& resource_type, const nlohmann::json& data,
                      std::int64_t building_id, std::optional<std::int64_t> tenant_id,
                      const std::vector<std::string>& aliases) {
  std::vector<std::string> names{resource_type};
  names.insert(names.end(), aliases.begin(), aliases.end());
  for (const auto& [id, integration] : integrations_) {
    const bool in_scope =
        (integration.scope == "building" && integration.owner_id == building_id) ||
        (integration.scope == "tenant" && tenant_id && integration.owner_id == *tenant_id);
    if (!in_scope) continue;
    for (const auto& binding : integration.attributes.value("bindings", nlohmann::json::array())) {
      const auto bound = binding.value("resource_type", "");
      const auto actions = binding.value("actions", nlohmann::json::array());
      const bool creates =
          std::find(actions.begin(), actions.end(), nlohmann::json("create")) != actions.end();
      if (!creates || std::find(names.begin(), names.end(), bound) == names.end()) continue;
      const nlohmann::json event = {
          {"event", {{"resource_type", bound}, {"action", "create"}, {"data", data}}}};
      deliveries_.push_back(
          {integration.attributes["configuration"].value("url", ""), event.dump()});
      break;
    }
  }
  deliveries_ready_.notify_all();
}

void Sandbox::deliver_webhooks() {
  std::unique_lock lock(mutex_);
  while (true) {
    deliveries_ready_.wait(lock, [this] { return stopping_ || !deliveries_.empty(); });
    if (stopping_) return;
    const auto delivery = deliveries_.front();
    deliveries_.pop_front();
    lock.unlock();
    frontdoor::http::OutboundRequest request;
    request.method = "POST";
    request.url = delivery.url;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = delivery.body;
    request.total_timeout = std::chrono::seconds(5);
    frontdoor::http::OutboundResponse response;
    int attempt = 1;
    // BMX retries a delivery that was not answered 200 within 5 s.
    for (; attempt <= kDeliveryAttempts; ++attempt) {
      response = frontdoor::http::send(request);
      if (response.status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    }
    lock.lock();
    webhook_log_.push_back({{"url", delivery.url},
                            {"body", nlohmann::json::parse(delivery.body)},
                            {"status", response.status},
                            {"attempts", std::min(attempt, kDeliveryAttempts)},
                            {"at", now_text()}});
  }
}

}  // namespace bmx_sandbox
