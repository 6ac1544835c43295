#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::bmx {

class BmxService;

// One more section of the health view (the outbox's lanes, from another module),
// read each time the view is asked for.
struct HealthSection {
  std::string name;
  std::function<nlohmann::json(const std::string& property_id)> read;
};

// A property's BMX integration, a resident's BMX link (/v1/me/bmx) and BMX's webhook.
void add_routes(auth::Routes& routes, BmxService& service,
                std::vector<HealthSection> health_sections);

// A resident's link as support's diagnostics show it: {linked, tenant_id, ...}.
nlohmann::json link_summary_json(const BmxService& service, const std::string& user_id,
                                 const std::string& property_id);

}  // namespace frontdoor::bmx
