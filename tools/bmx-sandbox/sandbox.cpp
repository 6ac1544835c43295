#include "sandbox.hpp"

#include <algorithm>
#include <boost/url/parse_query.hpp>

#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 100;
constexpr std::chrono::seconds kAccessTokenLifetime{86400};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool starts_with_ci(const std::string& text, const std::string& prefix) {
  return lower(text).rfind(lower(prefix), 0) == 0;
}

// BMX's error envelope: {"errors": [{field, code, message}]}.
Response bmx_error(int status, const std::string& field, const std::string& code,
                   const std::string& message) {
  return json_response(status,
                       {{"errors", {{{"field", field}, {"code", code}, {"message", message}}}}});
}

// Exactly the documented 401 example, which says "messages".
Response unauthorized() {
  return json_response(
      401,
      {{"errors", {{{"field", "base"}, {"code", "unauthorized"}, {"messages", "Unauthorized"}}}}});
}

Response oauth_error(int status, const std::string& error, const std::string& description) {
  return json_response(status, {{"error", error}, {"error_description", description}});
}

std::optional<std::int64_t> integer_param(const Request& request, std::string_view name) {
  auto text = request.query_param(name);
  if (!text) return std::nullopt;
  try {
    std::size_t used = 0;
    const auto value = std::stoll(std::string(*text), &used);
    if (used == text->size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// One page of `items` with BMX's page_info.
nlohmann::json page_of(const std::vector<nlohmann::json>& items, const Request& request) {
  const auto page = std::max<std::int64_t>(1, integer_param(request, "page").value_or(1));
  const auto per = std::clamp<std::int64_t>(
      integer_param(request, "per").value_or(kDefaultPageSize), 1, kMaxPageSize);
  const auto total = static_cast<std::int64_t>(items.size());
  const auto total_pages = std::max<std::int64_t>(1, (total + per - 1) / per);
  nlohmann::json data = nlohmann::json::array();
  for (auto i = (page - 1) * per; i < std::min(total, page * per); ++i) {
    data.push_back(items[static_cast<std::size_t>(i)]);
  }
  const auto count = static_cast<std::int64_t>(data.size());
  return {{"data", data},
          {"page_info",
           {{"current_page", page},
            {"total_pages", total_pages},
            {"total_item_count", total},
            {"page_item_count", count},
            {"page_size", per},
            {"next_page", page < total_pages ? nlohmann::json(page + 1) : nullptr},
            {"prev_page", page > 1 ? nlohmann::json(page - 1) : nullptr},
            {"first_page", page == 1},
            {"last_page", page >= total_pages}}}};
}

std::string now_text() { return frontdoor::common::to_rfc3339(std::chrono::system_clock::now()); }

}  // namespace

Sandbox::Sandbox(Options options) : options_(std::move(options)) {}

std::int64_t Sandbox::next_id() { return ++last_id_; }

void Sandbox::record(const Request& request) {
  requests_.push_back({{"method", request.method},
                       {"path", request.path},
                       {"authorized", request.header("authorization").has_value()},
                       {"at", now_text()}});
}

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

std::optional<std::string> Sandbox::bearer(const Request& request) {
  auto header = request.header("authorization");
  if (!header || header->rfind("Bearer ", 0) != 0) return std::nullopt;
  auto found = access_tokens_.find(std::string(header->substr(7)));
  if (found == access_tokens_.end() ||
      found->second.expires_at <= std::chrono::system_clock::now()) {
    return std::nullopt;
  }
  return found->second.email;
}

void Sandbox::add_routes(frontdoor::http::Router& router) {
  router.add("POST", "/oauth/token", [this](Request& request) {
    std::lock_guard lock(mutex_);
    record(request);
    auto parsed = boost::urls::parse_query(request.body);
    if (!parsed) return oauth_error(400, "invalid_request", "The body must be a form.");
    std::map<std::string, std::string> form;
    for (auto param : *parsed) form[std::string(param.key)] = std::string(param.value);
    if (form["client_id"] != options_.client_id ||
        form["client_secret"] != options_.client_secret) {
      return oauth_error(401, "invalid_client", "Client authentication failed.");
    }
    if (form["grant_type"] == "authorization_code") {
      auto code = codes_.find(form["code"]);
      if (code == codes_.end()) {
        return oauth_error(400, "invalid_grant", "The authorization code is invalid or used.");
      }
      const auto email = code->second;
      codes_.erase(code);  // single use
      return json_response(200, issue_token(email));
    }
    if (form["grant_type"] == "refresh_token") {
      auto refresh = refresh_tokens_.find(form["refresh_token"]);
      // A 401 on refresh means the link is gone (NOTES.md).
      if (refresh == refresh_tokens_.end()) {
        return oauth_error(401, "invalid_grant", "The refresh token is invalid.");
      }
      const auto email = refresh->second;
      refresh_tokens_.erase(refresh);  // every refresh rotates it
      return json_response(200, issue_token(email));
    }
    return oauth_error(400, "unsupported_grant_type", "Use authorization_code or refresh_token.");
  });

  router.add("GET", "/v4/buildings", [this](Request& request) {
    std::lock_guard lock(mutex_);
    record(request);
    if (!bearer(request)) return unauthorized();
    const auto name_eq = request.query_param("q[name_eq]");
    const auto name_start = request.query_param("q[name_start]");
    std::vector<nlohmann::json> items;
    for (const auto& [id, building] : buildings_) {
      if (name_eq && lower(building.name) != lower(std::string(*name_eq))) continue;
      if (name_start && !starts_with_ci(building.name, std::string(*name_start))) continue;
      items.push_back(building_json(building));
    }
    return json_response(200, page_of(items, request));
  });

  router.add("GET", "/v4/buildings/{id}", [this](Request& request) {
    std::lock_guard lock(mutex_);
    record(request);
    if (!bearer(request)) return unauthorized();
    std::int64_t id = 0;
    try {
      id = std::stoll(std::string(request.param("id")));
    } catch (const std::exception&) {
    }
    auto found = buildings_.find(id);
    if (found == buildings_.end()) return bmx_error(404, "id", "not_found", "Building not found");
    return json_response(200, {{"data", building_json(found->second)}});
  });

  router.add("GET", "/v4/tenants", [this](Request& request) {
    std::lock_guard lock(mutex_);
    record(request);
    if (!bearer(request)) return unauthorized();
    const auto email_eq = request.query_param("q[email_eq]");
    const auto building = integer_param(request, "q[building_id_eq]");
    const auto unit = integer_param(request, "q[unit_id_eq]");
    const auto first_start = request.query_param("q[first_name_start]");
    const auto last_start = request.query_param("q[last_name_start]");
    std::vector<nlohmann::json> items;
    for (const auto& [id, tenant] : tenants_) {
      if (email_eq && lower(tenant.email) != lower(std::string(*email_eq))) continue;
      if (building && tenant.building_id != *building) continue;
      if (unit && tenant.unit_id != *unit) continue;
      if (first_start && !starts_with_ci(tenant.first_name, std::string(*first_start))) continue;
      if (last_start && !starts_with_ci(tenant.last_name, std::string(*last_start))) continue;
      items.push_back(tenant_json(tenant));
    }
    return json_response(200, page_of(items, request));
  });

  // Control routes (CONTRACT.md, "bmx-sandbox control API").
  router.add("POST", "/_sandbox/buildings", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    frontdoor::http::JsonFields fields(body);
    auto name = fields.string("name", true, 1, 200);
    auto time_zone = fields.string("time_zone", false, 1, 64);
    if (body.contains("units") && !body["units"].is_array()) {
      fields.add_error("units", "type", "Must be an array.");
    }
    fields.finish();
    std::lock_guard lock(mutex_);
    const auto created_at = now_text();
    Building building{next_id(), *name, time_zone.value_or("America/New_York"), created_at};
    buildings_[building.id] = building;
    nlohmann::json units = nlohmann::json::array();
    for (const auto& unit_spec : body.value("units", nlohmann::json::array())) {
      Unit unit{next_id(), building.id, unit_spec.value("label", "unit"),
                unit_spec.value("floor", "1"), created_at};
      units_[unit.id] = unit;
      nlohmann::json tenants = nlohmann::json::array();
      for (const auto& tenant_spec : unit_spec.value("tenants", nlohmann::json::array())) {
        Tenant tenant{next_id(),
                      unit.id,
                      building.id,
                      tenant_spec.value("first_name", ""),
                      tenant_spec.value("last_name", ""),
                      lower(tenant_spec.value("email", "")),
                      tenant_spec.value("phone", ""),
                      tenant_spec.value("contact_preference", "mobile_app"),
                      created_at};
        tenants_[tenant.id] = tenant;
        tenants.push_back({{"id", tenant.id}, {"email", tenant.email}});
      }
      units.push_back({{"id", unit.id}, {"label", unit.label}, {"tenants", tenants}});
    }
    return json_response(201, {{"id", building.id}, {"name", building.name}, {"units", units}});
  });

  router.add("POST", "/_sandbox/oauth/codes", [this](Request& request) {
    const auto body = frontdoor::http::parse_json_body(request);
    frontdoor::http::JsonFields fields(body);
    auto email = fields.email("email", true);
    fields.finish();
    std::lock_guard lock(mutex_);
    const auto code = frontdoor::common::random_hex(16);
    codes_[code] = *email;
    return json_response(201, {{"code", code}});
  });

  router.add("GET", "/_sandbox/requests", [this](Request&) {
    std::lock_guard lock(mutex_);
    return json_response(200, {{"data", requests_}});
  });

  router.add("POST", "/_sandbox/reset", [this](Request&) {
    std::lock_guard lock(mutex_);
    buildings_.clear();
    units_.clear();
    tenants_.clear();
    codes_.clear();
    access_tokens_.clear();
    refresh_tokens_.clear();
    requests_.clear();
    return Response::no_content();
  });
}

}  // namespace bmx_sandbox
