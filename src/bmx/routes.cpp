#include "frontdoor/bmx/routes.hpp"

#include <algorithm>
#include <cctype>

#include "frontdoor/bmx/service.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::bmx {
namespace {

using common::to_rfc3339;
using http::text_or_null;
using http::time_or_null;

// docs/api.md, "BMX integration".
nlohmann::json integration_json(const SiteIntegration& integration) {
  if (!integration.site) {
    return {{"status", "not_configured"}, {"placeholder_email", integration.placeholder_email}};
  }
  const auto& site = *integration.site;
  return {{"status", "active"},
          {"building_id", site.building_id},
          {"building_name", site.building_name},
          {"placeholder_unit_id", site.placeholder_unit_id},
          {"placeholder_tenant_id", site.placeholder_tenant_id},
          {"placeholder_email", integration.placeholder_email},
          {"configured_at", to_rfc3339(site.configured_at)}};
}

nlohmann::json set_up_request_json(const SetUpRequest& request) {
  return {{"id", request.id},
          {"property_id", request.property_id},
          {"placeholder_email", request.placeholder_email},
          {"building_name", text_or_null(request.building_name)},
          {"note", text_or_null(request.note)},
          {"created_at", to_rfc3339(request.created_at)}};
}

nlohmann::json health_json(const Health& health) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& error : health.last_errors) {
    errors.push_back({{"operation", error.operation},
                      {"kind", error.kind},
                      {"bmx_status", error.bmx_status},
                      {"detail", error.detail},
                      {"bmx_request_id", text_or_null(error.bmx_request_id)},
                      {"occurred_at", to_rfc3339(error.occurred_at)}});
  }
  nlohmann::json result = {{"circuit_state", health.circuit_state},
                           {"last_errors", errors},
                           {"set_up_requests", health.set_up_requests},
                           {"last_set_up_request_at", time_or_null(health.last_set_up_request_at)}};
  if (!health.site) {
    result["status"] = "not_configured";
    return result;
  }
  const auto& site = *health.site;
  const bool revoked = site.revoked_at.has_value();
  result["status"] = revoked ? "sign_in_required" : "active";
  result["building_id"] = site.building_id;
  result["building_name"] = site.building_name;
  result["token"] = {{"valid", !revoked},
                     {"access_expires_at", to_rfc3339(site.access_expires_at)},
                     {"revoked_at", time_or_null(site.revoked_at)}};
  result["last_webhook_at"] = time_or_null(site.last_webhook_at);
  result["configured_at"] = to_rfc3339(site.configured_at);
  result["webhooks_waiting"] = site.webhooks_waiting;
  return result;
}

nlohmann::json link_json(const Link& link) {
  return {{"linked", true},
          {"tenant_id", link.tenant_id},
          {"building_id", link.building_id},
          {"contact_preference", link.contact_preference},
          {"video_calls_ready", link.video_calls_ready()},
          {"linked_at", to_rfc3339(link.linked_at)}};
}

// docs/api.md, "Resident link".
nlohmann::json link_status_json(const LinkStatus& status) {
  if (!status.link) {
    return {{"linked", false},
            {"property_id", status.property_id},
            {"authorize_url", status.authorize_url.value_or("")}};
  }
  auto json = link_json(*status.link);
  json["property_id"] = status.property_id;
  // iOS shows only the first app's call screen: with the BMX app also installed,
  // calls seem not to arrive here.
  if (status.bmx_app_also_installed) {
    json["notice"] =
        "The ButterflyMX app is also installed on one of your phones. iOS shows only one "
        "app's incoming call, so calls may not ring here: in Settings, Notifications, "
        "ButterflyMX, turn off notifications (or remove the ButterflyMX app).";
  }
  return json;
}

const char* receipt_name(WebhookReceipt receipt) {
  switch (receipt) {
    case WebhookReceipt::queued:
      return "queued";
    case WebhookReceipt::duplicate:
      return "duplicate";
    case WebhookReceipt::ignored:
      return "ignored";
  }
  return "ignored";
}

// POST .../integrations/bmx/requests: the body is optional, the request itself
// is the message.
std::pair<std::optional<std::string>, std::optional<std::string>> set_up_request(
    const http::Request& request) {
  std::optional<std::string> building_name, note;
  if (request.body.empty()) return {building_name, note};
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  building_name = fields.string("building_name", false, 1, 200);
  note = fields.string("note", false, 1, 2000, common::TextKind::multi_line);
  fields.finish();
  return {building_name, note};
}

// The webhook path's secret: 64 hex digits, or 404 as for a wrong one.
std::string webhook_secret(const http::Request& request) {
  std::string secret(request.param("secret"));
  const bool well_formed =
      secret.size() == 64 && std::all_of(secret.begin(), secret.end(),
                                         [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!well_formed) throw common::ApiError::not_found();
  return secret;
}

}  // namespace

nlohmann::json link_summary_json(const BmxService& service, const std::string& user_id,
                                 const std::string& property_id) {
  const auto link = service.link_summary(user_id, property_id);
  if (!link) return {{"linked", false}};
  return link_json(*link);
}

void add_routes(auth::Routes& routes, BmxService& service,
                std::vector<HealthSection> health_sections) {
  routes.add("PUT", "/v1/properties/{pid}/integrations/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto building_id = fields.integer("building_id", true, 1, 999999999999);
               auto code = fields.string("authorization_code", true, 1, 512);
               fields.finish();
               return http::json_response(
                   200, integration_json(service.set_up(actor, property_id, *building_id, *code)));
             });

  routes.add("GET", "/v1/properties/{pid}/integrations/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(200, integration_json(service.integration(
                                                   actor, http::uuid_param(request, "pid"))));
             });

  routes.add("POST", "/v1/properties/{pid}/integrations/bmx/requests",
             {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto [building_name, note] = set_up_request(request);
               return http::json_response(201, set_up_request_json(service.request_set_up(
                                                   actor, property_id, building_name, note)));
             });

  routes.add("GET", "/v1/properties/{pid}/integrations/bmx/health",
             {.caller = auth::Caller::person},
             [&service, sections = std::move(health_sections)](http::Request& request,
                                                               const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               auto health = health_json(service.health(actor, property_id));
               for (const auto& section : sections)
                 health[section.name] = section.read(property_id);
               return http::json_response(200, health);
             });

  routes.add("GET", "/v1/me/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, link_status_json(
                            service.link_status(actor, http::uuid_query(request, "property_id"))));
             });

  routes.add("POST", "/v1/me/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto body = http::parse_json_body(request);
               http::JsonFields fields(body);
               auto code = fields.string("code", true, 1, 512);
               auto state = fields.string("state", true, 1, 128);
               fields.finish();
               return http::json_response(200,
                                          link_status_json(service.link(actor, *code, *state)));
             });

  routes.add("DELETE", "/v1/me/bmx", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               service.unlink(actor, http::uuid_query(request, "property_id"));
               return http::Response::no_content();
             });

  // BMX signs nothing: the unguessable secret in the path is the credential.
  routes.add("POST", "/v1/webhooks/bmx/{secret}", {.caller = auth::Caller::anonymous},
             [&](http::Request& request, const auth::Principal&) {
               // Who is calling first; the body only for the one who knows the secret.
               const auto property_id = service.webhook_property(webhook_secret(request));
               if (!property_id) throw common::ApiError::not_found();
               const auto body = http::parse_json_body(request);
               const auto receipt =
                   service.receive_webhook(*property_id, parse_webhook_event(body), body.dump());
               return http::json_response(200, {{"received", receipt_name(receipt)}});
             });
}

}  // namespace frontdoor::bmx
