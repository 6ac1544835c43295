#include "frontdoor/audit/routes.hpp"

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"

namespace frontdoor::audit {

void add_routes(auth::Routes& routes, AuditTrail& trail) {
  routes.add("GET", "/v1/properties/{pid}/audit", {.caller = auth::Caller::person},
             [&trail](http::Request& request, const auth::Principal& viewer) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto page_request = http::page_request(request);
               AuditQuery query{page_request.limit, std::nullopt};
               if (auto parts = http::cursor_parts(page_request, {http::CursorPart::integer})) {
                 query.after = std::stoll((*parts)[0]);
               }
               const auto page = trail.list(viewer, property_id, query);
               nlohmann::json items = nlohmann::json::array();
               for (const auto& entry : page.items) {
                 items.push_back({{"id", entry.id},
                                  {"actor", entry.actor},
                                  {"action", entry.action},
                                  {"subject_type", entry.subject_type},
                                  {"subject_id", entry.subject_id},
                                  {"details", nlohmann::json::parse(entry.details)},
                                  {"at", common::to_rfc3339(entry.at)}});
               }
               std::optional<nlohmann::json> next;
               if (page.next) next = nlohmann::json::array({*page.next});
               return http::page_response(std::move(items), next);
             });
}

}  // namespace frontdoor::audit
