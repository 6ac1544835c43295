#include "frontdoor/bmx/http_client.hpp"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "frontdoor/common/circuit_breaker.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/client.hpp"
#include "frontdoor/http/metrics.hpp"

namespace frontdoor::bmx {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// How much repetition a call tolerates.
enum class Repeat {
  safe,   // reads and deletes: any failure may be retried
  write,  // creates: retried only when BMX surely did nothing (no connection, 429)
  never,  // door releases
};

struct Call {
  std::string operation;
  std::string method;
  std::string path;  // with query
  std::optional<json> body;
  Repeat repeat = Repeat::safe;
};

std::int64_t id_of(const json& value, const char* key) {
  const auto& field = value.at(key);
  if (field.is_number_integer()) return field.get<std::int64_t>();
  return std::stoll(field.get<std::string>());
}

std::optional<std::int64_t> optional_id(const json& value, const char* key) {
  if (!value.contains(key) || value[key].is_null()) return std::nullopt;
  return id_of(value, key);
}

std::string text_of(const json& value, const char* key) {
  if (!value.contains(key) || value[key].is_null()) return "";
  return value[key].get<std::string>();
}

std::optional<std::string> optional_text(const json& value, const char* key) {
  if (!value.contains(key) || value[key].is_null()) return std::nullopt;
  return value[key].get<std::string>();
}

Tenant tenant_from(const json& data) {
  Tenant tenant;
  tenant.id = id_of(data, "id");
  tenant.building_id = id_of(data, "building_id");
  tenant.unit_id =
      data.contains("unit") && data["unit"].is_object() ? id_of(data["unit"], "id") : 0;
  tenant.first_name = text_of(data, "first_name");
  tenant.last_name = text_of(data, "last_name");
  tenant.email = text_of(data, "email");
  tenant.contact_preference = text_of(data, "contact_preference");
  return tenant;
}

Keychain keychain_from(const json& data) {
  Keychain keychain{id_of(data, "id"), {}};
  for (const auto& id : data.value("virtual_key_ids", json::array())) {
    keychain.virtual_key_ids.push_back(id.get<std::int64_t>());
  }
  return keychain;
}

VirtualKey virtual_key_from(const json& data) {
  VirtualKey key;
  key.id = id_of(data, "id");
  key.keychain_id = id_of(data, "keychain_id");
  key.qr_code_url = text_of(data, "qr_code_url");
  key.pin_code = text_of(data, "pin_code");
  key.instructions_url = text_of(data, "instructions_url");
  key.usage_count = data.value("usage_count", 0);
  key.first_used_at = optional_text(data, "first_used_at");
  key.last_used_at = optional_text(data, "last_used_at");
  return key;
}

std::vector<common::FieldError> bmx_errors_of(const std::string& body) {
  std::vector<common::FieldError> errors;
  auto parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("errors") || !parsed["errors"].is_array()) {
    return errors;
  }
  for (const auto& item : parsed["errors"]) {
    if (!item.is_object()) continue;
    // One documented example says "messages"; build for both.
    std::string message = item.value("message", "");
    if (message.empty() && item.contains("messages") && item["messages"].is_string()) {
      message = item["messages"].get<std::string>();
    }
    errors.push_back({item.value("field", ""), item.value("code", ""), message});
  }
  return errors;
}

std::string query_encode(const std::string& text) { return http::form_encode(text); }

class HttpBmxClient final : public BmxClient {
 public:
  HttpBmxClient(HttpClientOptions options, http::Metrics& metrics, FailureObserver observer)
      : options_(std::move(options)),
        metrics_(metrics),
        observer_(std::move(observer)),
        breaker_(options_.breaker_failures, options_.breaker_open_for) {}

  TokenGrant exchange_code(const std::string& code) override {
    return token_call("exchange_code", "grant_type=authorization_code&code=" + query_encode(code) +
                                           "&redirect_uri=" + query_encode(options_.redirect_uri));
  }

  TokenGrant refresh(const std::string& refresh_token) override {
    return token_call("refresh_token",
                      "grant_type=refresh_token&refresh_token=" + query_encode(refresh_token));
  }

  Building get_building(TokenSource& as, std::int64_t building_id) override {
    auto data = perform(as, {"get_building", "GET", "/v4/buildings/" + std::to_string(building_id)})
                    .at("data");
    return {id_of(data, "id"), text_of(data, "name"), text_of(data, "time_zone")};
  }

  std::vector<Tenant> find_tenants(TokenSource& as, const TenantQuery& query) override {
    std::vector<Tenant> tenants;
    for (int page = 1;; ++page) {
      std::string path = "/v4/tenants?per=100&page=" + std::to_string(page);
      if (query.email) path += "&q%5Bemail_eq%5D=" + query_encode(*query.email);
      if (query.building_id) {
        path += "&q%5Bbuilding_id_eq%5D=" + std::to_string(*query.building_id);
      }
      if (query.unit_id) path += "&q%5Bunit_id_eq%5D=" + std::to_string(*query.unit_id);
      auto body = perform(as, {"find_tenants", "GET", path});
      for (const auto& item : body.at("data")) {
        auto tenant = tenant_from(item);
        // q[email_eq] is in BMX's notes, not its description: a BMX that ignores it
        // must not hand us someone else.
        if (query.email &&
            common::normalize_email(tenant.email) != common::normalize_email(*query.email)) {
          continue;
        }
        tenants.push_back(std::move(tenant));
      }
      const auto& info = body.value("page_info", json::object());
      if (!info.contains("next_page") || info["next_page"].is_null() || page >= 50) break;
    }
    return tenants;
  }

  Tenant get_tenant(TokenSource& as, std::int64_t tenant_id) override {
    return tenant_from(
        perform(as, {"get_tenant", "GET", "/v4/tenants/" + std::to_string(tenant_id)}).at("data"));
  }

  Keychain create_keychain(TokenSource& as, const KeychainRequest& request) override {
    // Each type takes its own fields (additionalProperties: false).
    json keychain = {{"name", request.name}, {"tenant_id", request.tenant_id}};
    if (request.weekly) {
      keychain["weekdays"] = request.weekly->weekdays;
      keychain["time_from"] = request.weekly->time_from;
      keychain["time_to"] = request.weekly->time_to;
      keychain["start_date"] = request.weekly->start_date;
      keychain["end_date"] = request.weekly->end_date;
    } else if (request.kind != "delivery_pass") {
      keychain["starts_at"] = common::to_rfc3339(request.starts_at);
      keychain["ends_at"] = common::to_rfc3339(request.ends_at);
    }
    if (!request.access_point_ids.empty()) keychain["access_point_ids"] = request.access_point_ids;
    auto data = perform(as, {"create_keychain", "POST", "/v4/keychains/" + request.kind,
                             json{{"keychain", keychain}}, Repeat::write})
                    .at("data");
    return keychain_from(data);
  }

  Keychain get_keychain(TokenSource& as, std::int64_t keychain_id) override {
    return keychain_from(
        perform(as, {"get_keychain", "GET", "/v4/keychains/" + std::to_string(keychain_id)})
            .at("data"));
  }

  std::vector<Keychain> find_keychains(TokenSource& as, const std::string& name) override {
    // The published q[name_eq] filter: one small page, not every keychain the token sees.
    std::vector<Keychain> found;
    for (int page = 1; page <= 50; ++page) {
      auto body = perform(as, {"find_keychains", "GET",
                               "/v4/keychains?per=100&q%5Bname_eq%5D=" + query_encode(name) +
                                   "&page=" + std::to_string(page)});
      for (const auto& item : body.at("data")) {
        if (item.value("name", "") == name) found.push_back(keychain_from(item));
      }
      const auto& info = body.value("page_info", json::object());
      if (!info.contains("next_page") || info["next_page"].is_null()) break;
    }
    return found;
  }

  void delete_keychain(TokenSource& as, std::int64_t keychain_id) override {
    perform(as, {"delete_keychain", "DELETE", "/v4/keychains/" + std::to_string(keychain_id)});
  }

  VirtualKey create_virtual_key(TokenSource& as, const VirtualKeyRequest& request) override {
    // A FLAT body, unlike the keychain (NOTES.md).
    json body = {{"keychain_id", request.keychain_id}, {"name", request.name}};
    if (request.email) body["email"] = *request.email;
    if (request.sms_number) body["sms_number"] = *request.sms_number;
    return virtual_key_from(
        perform(as, {"create_virtual_key", "POST", "/v4/virtual_keys", body, Repeat::write})
            .at("data"));
  }

  VirtualKey get_virtual_key(TokenSource& as, std::int64_t key_id) override {
    return virtual_key_from(
        perform(as, {"get_virtual_key", "GET", "/v4/virtual_keys/" + std::to_string(key_id)})
            .at("data"));
  }

  void delete_virtual_key(TokenSource& as, std::int64_t key_id) override {
    perform(as, {"delete_virtual_key", "DELETE", "/v4/virtual_keys/" + std::to_string(key_id)});
  }

  DoorRelease release_door(TokenSource& as, std::int64_t tenant_id,
                           std::int64_t access_point_id) override {
    // access_point_id alone: the oneOf forbids a device_id beside it, even a null one.
    const json body = {
        {"door_release_request", {{"tenant_id", tenant_id}, {"access_point_id", access_point_id}}}};
    auto data =
        perform(as, {"release_door", "POST", "/v4/door_release_requests", body, Repeat::never})
            .at("data");
    return {id_of(data, "id")};
  }

  bmx::Call get_call(TokenSource& as, std::int64_t building_id, std::int64_t call_id) override {
    auto data = perform(as, {"get_call", "GET",
                             "/v4/buildings/" + std::to_string(building_id) + "/calls/" +
                                 std::to_string(call_id)})
                    .at("data");
    bmx::Call call;
    call.id = id_of(data, "id");
    call.building_id = id_of(data, "building_id");
    call.tenant_id = data.contains("recipient") ? id_of(data["recipient"], "id") : 0;
    call.device_id = data.contains("device") ? id_of(data["device"], "id") : 0;
    call.status = text_of(data, "status");
    return call;
  }

  AccessLog get_access_log(TokenSource& as, std::int64_t building_id,
                           std::int64_t log_id) override {
    auto data = perform(as, {"get_access_log", "GET",
                             "/v4/buildings/" + std::to_string(building_id) + "/access_logs/" +
                                 std::to_string(log_id)})
                    .at("data");
    return {id_of(data, "id"), optional_id(data, "tenant_id"), optional_id(data, "access_point"),
            text_of(data, "release_status"), text_of(data, "entry_method")};
  }

  std::vector<AccessLog> list_access_logs_since(TokenSource& as, std::int64_t building_id,
                                                const std::string& since) override {
    auto body =
        perform(as, {"list_access_logs", "GET",
                     "/v4/buildings/" + std::to_string(building_id) +
                         "/access_logs?per=100&q%5Blogged_at_gteq%5D=" + query_encode(since)});
    std::vector<AccessLog> logs;
    for (const auto& data : body.at("data")) {
      logs.push_back({id_of(data, "id"), optional_id(data, "tenant_id"),
                      optional_id(data, "access_point"), text_of(data, "release_status"),
                      text_of(data, "entry_method")});
    }
    return logs;
  }

  std::vector<AccessPoint> list_access_points(TokenSource& as, std::int64_t building_id) override {
    auto body = perform(
        as, {"list_access_points", "GET",
             "/v4/access_points?per=100&q%5Bbuilding_id_eq%5D=" + std::to_string(building_id)});
    std::vector<AccessPoint> points;
    for (const auto& item : body.at("data")) {
      AccessPoint point{id_of(item, "id"), {}};
      for (const auto& device : item.value("device_ids", json::array())) {
        point.device_ids.push_back(device.get<std::int64_t>());
      }
      points.push_back(point);
    }
    return points;
  }

  std::vector<Integration> list_building_integrations(TokenSource& as,
                                                      std::int64_t building_id) override {
    auto body =
        perform(as, {"list_integrations", "GET",
                     "/v4/buildings/" + std::to_string(building_id) + "/integrations?per=100"});
    std::vector<Integration> integrations;
    for (const auto& item : body.at("data")) integrations.push_back(integration_from(item));
    return integrations;
  }

  Integration create_building_webhook(TokenSource& as, std::int64_t building_id,
                                      const std::string& url) override {
    const json body = {{"data",
                        {{"type", "integrations"},
                         {"attributes",
                          {{"integrator", "webhook"},
                           {"configuration", {{"url", url}, {"method", "post"}}},
                           {"bindings",
                            {{{"resource_type", "call"}, {"actions", {"create"}}},
                             {{"resource_type", "access_log"}, {"actions", {"create"}}},
                             {{"resource_type", "door_release"}, {"actions", {"create"}}}}}}}}}};
    return integration_from(
        perform(as, {"create_integration", "POST",
                     "/v4/buildings/" + std::to_string(building_id) + "/integrations", body,
                     Repeat::write})
            .at("data"));
  }

  void delete_building_integration(TokenSource& as, std::int64_t building_id,
                                   const std::string& integration_id) override {
    perform(as, {"delete_integration", "DELETE",
                 "/v4/buildings/" + std::to_string(building_id) + "/integrations/" +
                     query_encode(integration_id)});
  }

  std::string circuit_state() const override {
    return std::string(common::name_of(breaker_.state()));
  }

 private:
  static Integration integration_from(const json& data) {
    Integration integration;
    integration.id = data.at("id").is_string() ? data["id"].get<std::string>()
                                               : std::to_string(data["id"].get<std::int64_t>());
    const auto& attributes = data.value("attributes", json::object());
    if (attributes.contains("configuration")) {
      integration.url = attributes["configuration"].value("url", "");
    }
    return integration;
  }

  TokenGrant token_call(const std::string& operation, const std::string& form) {
    http::OutboundRequest request;
    request.method = "POST";
    request.url = options_.accounts_url + "/oauth/token";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"}};
    request.body = form + "&client_id=" + query_encode(options_.client_id) +
                   "&client_secret=" + query_encode(options_.client_secret);
    request.connect_timeout = options_.connect_timeout;
    request.total_timeout = options_.timeout;
    const auto started = Clock::now();
    auto response = http::send(request);
    if (response.failure != http::OutboundResponse::Failure::none) {
      throw fail(nullptr, operation, started,
                 response.failure == http::OutboundResponse::Failure::timeout
                     ? ErrorKind::timeout
                     : ErrorKind::unavailable,
                 0, "BMX accounts could not be reached: " + response.error, "");
    }
    const std::string request_id(response.header("x-request-id").value_or(""));
    if (response.status >= 500) {
      throw fail(nullptr, operation, started, ErrorKind::unavailable, response.status,
                 "BMX accounts answered " + std::to_string(response.status), request_id);
    }
    // A refused code or refresh token (400 invalid_grant, 401) means: log in again.
    if (response.status != 200) {
      throw fail(nullptr, operation, started, ErrorKind::unauthorized, response.status,
                 "BMX refused the authorization; the BMX user must sign in again.", request_id);
    }
    auto body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("access_token") || !body.contains("refresh_token")) {
      throw fail(nullptr, operation, started, ErrorKind::unavailable, response.status,
                 "BMX accounts sent an unreadable token response", request_id);
    }
    metrics_.observe_outbound("bmx", operation, "ok", seconds_since(started));
    return {body["access_token"].get<std::string>(), body["refresh_token"].get<std::string>(),
            std::chrono::seconds(body.value("expires_in", 86400))};
  }

  json perform(TokenSource& as, const Call& call) {
    const auto started = Clock::now();
    auto token = as.access_token();
    bool refreshed = false;
    for (int attempt = 1;; ++attempt) {
      const bool may_retry = attempt < options_.max_attempts;
      if (!breaker_.allow()) {
        throw fail(&as, call.operation, started, ErrorKind::unavailable, 0,
                   "BMX is failing; calls are paused for a while (circuit open).", "");
      }
      auto response = http::send(request_for(call, token));
      const std::string request_id(response.header("x-request-id").value_or(""));
      using Failure = http::OutboundResponse::Failure;
      if (response.failure != Failure::none) {
        breaker_.failed();
        // Nothing reached BMX when the connection failed; writes may be retried then.
        const bool retryable =
            call.repeat == Repeat::safe ||
            (call.repeat == Repeat::write && response.failure == Failure::connect);
        if (retryable && may_retry) {
          pause(attempt, std::nullopt);
          continue;
        }
        const auto kind =
            response.failure == Failure::connect ? ErrorKind::unavailable : ErrorKind::timeout;
        throw fail(&as, call.operation, started, kind, 0, "BMX did not answer: " + response.error,
                   request_id);
      }
      if (response.status == 401 && !refreshed) {
        refreshed = true;
        token = as.refreshed(token);
        --attempt;  // a refresh is not a retry
        continue;
      }
      if (response.status == 429) {
        const auto wait = retry_after(response);
        if (call.repeat != Repeat::never && may_retry &&
            (!wait || *wait <= options_.longest_retry_after)) {
          pause(attempt, wait);
          continue;
        }
        throw fail(&as, call.operation, started, ErrorKind::rate_limited, 429,
                   "BMX asked us to slow down.", request_id);
      }
      if (response.status >= 500) {
        breaker_.failed();
        if (call.repeat == Repeat::safe && may_retry) {
          pause(attempt, retry_after(response));
          continue;
        }
        throw fail(&as, call.operation, started, ErrorKind::unavailable, response.status,
                   "BMX answered " + std::to_string(response.status) + ".", request_id);
      }
      breaker_.succeeded();
      if (response.status == 401) {
        throw fail(&as, call.operation, started, ErrorKind::unauthorized, 401,
                   "BMX refused the token even after a refresh.", request_id);
      }
      if (response.status == 404) {
        throw fail(&as, call.operation, started, ErrorKind::not_found, 404,
                   "BMX has no such resource, or this account may not see it.", request_id);
      }
      if (response.status >= 400) {
        throw fail(&as, call.operation, started, ErrorKind::rejected, response.status,
                   "BMX refused the request.", request_id, bmx_errors_of(response.body));
      }
      metrics_.observe_outbound("bmx", call.operation, "ok", seconds_since(started));
      if (response.body.empty()) return json::object();
      auto body = json::parse(response.body, nullptr, false);
      if (body.is_discarded()) {
        throw fail(&as, call.operation, started, ErrorKind::unavailable, response.status,
                   "BMX sent an unreadable answer.", request_id);
      }
      return body;
    }
  }

  http::OutboundRequest request_for(const Call& call, const std::string& token) const {
    http::OutboundRequest request;
    request.method = call.method;
    request.url = options_.api_url + call.path;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (call.body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = call.body->dump();
    }
    request.connect_timeout = options_.connect_timeout;
    request.total_timeout = options_.timeout;
    return request;
  }

  static std::optional<std::chrono::seconds> retry_after(const http::OutboundResponse& response) {
    auto header = response.header("retry-after");
    if (!header || header->empty() || header->size() > 6 ||
        !std::all_of(header->begin(), header->end(),
                     [](unsigned char c) { return std::isdigit(c); })) {
      return std::nullopt;
    }
    return std::chrono::seconds(std::stoi(std::string(*header)));
  }

  // Waits before the next attempt: Retry-After when BMX gave one, otherwise
  // exponential backoff with full jitter.
  void pause(int attempt, std::optional<std::chrono::seconds> requested) {
    std::chrono::milliseconds wait;
    if (requested) {
      wait = *requested;
    } else {
      const auto ceiling = std::min<std::int64_t>(options_.backoff_cap.count(),
                                                  options_.backoff_base.count() << (attempt - 1));
      thread_local std::mt19937_64 random{std::random_device{}()};
      wait = std::chrono::milliseconds(
          std::uniform_int_distribution<std::int64_t>(ceiling / 2, ceiling)(random));
    }
    std::this_thread::sleep_for(wait);
  }

  static double seconds_since(Clock::time_point started) {
    return std::chrono::duration<double>(Clock::now() - started).count();
  }

  BmxError fail(const TokenSource* as, const std::string& operation, Clock::time_point started,
                ErrorKind kind, int status, const std::string& detail,
                const std::string& request_id, std::vector<common::FieldError> errors = {}) {
    BmxError error(kind, operation, status, detail, std::move(errors), request_id);
    metrics_.observe_outbound("bmx", operation, to_string(kind), seconds_since(started));
    common::log::warn("bmx call failed", {{"operation", operation},
                                          {"kind", to_string(kind)},
                                          {"bmx_status", status},
                                          {"bmx_request_id", request_id},
                                          {"detail", detail}});
    if (observer_) observer_(as, error);
    return error;
  }

  HttpClientOptions options_;
  http::Metrics& metrics_;
  FailureObserver observer_;
  common::CircuitBreaker breaker_;
};

}  // namespace

std::unique_ptr<BmxClient> make_http_client(HttpClientOptions options, http::Metrics& metrics,
                                            FailureObserver observer) {
  return std::make_unique<HttpBmxClient>(std::move(options), metrics, std::move(observer));
}

}  // namespace frontdoor::bmx
