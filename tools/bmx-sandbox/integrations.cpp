// BMX's integrations (its webhooks): registered on a building by its admins or
// on a tenant by the tenant, and listed, read, replaced and deleted there.
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

// The integration body: {"data": {"type": "integrations", "attributes": {integrator,
// configuration: {url, method}, bindings: [{resource_type, actions}]}}}.
std::optional<nlohmann::json> integration_attributes(const Request& request) {
  auto body = wire::json_body(request);
  if (!body || !body->contains("data") || !(*body)["data"].is_object()) return std::nullopt;
  const auto& data = (*body)["data"];
  if (data.value("type", "") != "integrations" || !data.contains("attributes")) {
    return std::nullopt;
  }
  const auto& attributes = data["attributes"];
  if (!attributes.is_object() || !attributes.contains("integrator") ||
      !attributes["integrator"].is_string() || !attributes.contains("configuration") ||
      !attributes["configuration"].is_object() || !attributes["configuration"].contains("url") ||
      !attributes["configuration"]["url"].is_string() || !attributes.contains("bindings") ||
      !attributes["bindings"].is_array()) {
    return std::nullopt;
  }
  return attributes;
}

frontdoor::http::Response invalid_integration() {
  return wire::error(422, "data", "invalid",
                     "needs type integrations with integrator, configuration and bindings");
}

}  // namespace

void Sandbox::add_integration_routes(frontdoor::http::Router& router) {
  // Integrations (webhooks) exist on buildings (admins) and tenants (the tenant).
  for (const std::string scope : {"building", "tenant"}) {
    const std::string base = "/v4/" + scope + "s/{owner_id}/integrations";
    const auto allowed = [this, scope](const Caller& me, std::int64_t owner) {
      if (scope == "tenant") return me.tenant_id == owner;
      return buildings_.count(owner) > 0 && buildings_.at(owner).admins.count(me.email) > 0;
    };
    // The integration {id} of the owner the path names.
    const auto of_owner = [scope](std::int64_t owner) {
      return [scope, owner](const Caller&, const Integration& integration) {
        return integration.scope == scope && integration.owner_id == owner;
      };
    };
    router.add("GET", base, bmx_route([this, scope, allowed](Request& request) {
                 return as_owner(
                     request, "owner_id", allowed, [&](const Caller&, std::int64_t owner) {
                       std::vector<nlohmann::json> items;
                       for (const auto& [id, integration] : integrations_) {
                         if (integration.scope == scope && integration.owner_id == owner) {
                           items.push_back(integration_json(integration));
                         }
                       }
                       return json_response(200, wire::page_of(items, request));
                     });
               }));
    router.add("POST", base, bmx_route([this, scope, allowed](Request& request) {
                 return as_owner(request, "owner_id", allowed,
                                 [&](const Caller&, std::int64_t owner) {
                                   auto attributes = integration_attributes(request);
                                   if (!attributes) return invalid_integration();
                                   Integration integration{next_id(), scope, owner, *attributes};
                                   integrations_[integration.id] = integration;
                                   // The published description answers a new integration with 200,
                                   // not 201.
                                   return wire::ok(integration_json(integration));
                                 });
               }));
    router.add(
        "GET", base + "/{id}", bmx_route([this, allowed, of_owner](Request& request) {
          return as_owner(request, "owner_id", allowed, [&](const Caller& me, std::int64_t owner) {
            const auto* integration = find_visible(request, me, integrations_, of_owner(owner));
            return integration ? wire::ok(integration_json(*integration)) : wire::not_found();
          });
        }));
    router.add(
        "PUT", base + "/{id}", bmx_route([this, allowed, of_owner](Request& request) {
          return as_owner(request, "owner_id", allowed, [&](const Caller& me, std::int64_t owner) {
            const auto* found = find_visible(request, me, integrations_, of_owner(owner));
            if (!found) return wire::not_found();
            auto attributes = integration_attributes(request);
            if (!attributes) return invalid_integration();
            auto& integration = integrations_.at(found->id);
            integration.attributes = *attributes;
            return wire::ok(integration_json(integration));
          });
        }));
    router.add(
        "DELETE", base + "/{id}", bmx_route([this, allowed, of_owner](Request& request) {
          return as_owner(request, "owner_id", allowed, [&](const Caller& me, std::int64_t owner) {
            const auto* found = find_visible(request, me, integrations_, of_owner(owner));
            if (!found) return wire::not_found();
            integrations_.erase(found->id);
            return Response::no_content();
          });
        }));
  }
}

}  // namespace bmx_sandbox
