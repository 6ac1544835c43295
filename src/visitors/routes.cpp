#include "frontdoor/visitors/routes.hpp"

#include "frontdoor/auth/async_guarded_routes.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/json_writer.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/visitors/json.hpp"
#include "frontdoor/visitors/service.hpp"

namespace frontdoor::visitors {
namespace {

// A timestamp field: RFC 3339 with a zone, or a field error.
std::optional<common::TimePoint> time_field(http::JsonFields& fields, const char* name) {
  auto text = fields.string(name, true, 1, 64);
  if (!text) return std::nullopt;
  auto time = common::parse_rfc3339(*text);
  if (!time) {
    fields.add_error(name, "format", "Use RFC 3339 with a zone, e.g. 2026-11-26T17:00:00Z.");
  }
  return time;
}

NewVisit read_visit(const http::Request& request, bool staff) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  NewVisit visit;
  auto name = fields.string("name", true, 1, 100);
  auto phone = fields.phone("phone", !staff);
  auto email = fields.email("email", staff);
  std::optional<std::string> access;
  if (!staff) access = fields.one_of("access", true, {"property_only", "property_wide"});
  auto starts = time_field(fields, "starts_at");
  auto ends = time_field(fields, "ends_at");
  if (!staff) visit.property_id = fields.uuid("property_id", false);
  fields.finish();
  visit.name = *name;
  visit.phone = phone;
  visit.email = email;
  visit.access = access.value_or("property_wide");
  visit.starts_at = *starts;
  visit.ends_at = *ends;
  return visit;
}

}  // namespace

void add_routes(auth::Routes& routes, VisitorsService& visitors) {
  routes.add("POST", "/v1/me/visitors", {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto created = visitors.create_for_resident(actor, read_visit(request, false));
               return http::json_response(201, to_json(created));
             });
  auth::add_async(
      routes, "GET", "/v1/me/visitors", auth::Caller::person_token,
      [&](http::Request& request,
          const auth::Principal& actor) -> boost::asio::awaitable<http::Response> {
        const auto page = co_await visitors.list_mine(actor, http::newest_first_query(request));
        // About 400 bytes a visitor.
        http::JsonWriter items(512 * page.items.size());
        items.begin_array();
        for (const auto& visitor : page.items) write_json(items, visitor);
        co_return http::page_response(items.end_array(), http::next_position(page.next));
      });
  routes.add("GET", "/v1/me/visitors/{id}", {.caller = auth::Caller::person_token},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(visitors.get_mine(actor, http::uuid_param(request, "id"))));
             });
  routes.add("DELETE", "/v1/me/visitors/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               visitors.revoke_mine(actor, http::uuid_param(request, "id"));
               return http::Response::no_content();
             });

  routes.add("POST", "/v1/properties/{pid}/visitors",
             {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               const auto created =
                   visitors.create_for_property(actor, property_id, read_visit(request, true));
               return http::json_response(201, to_json(created));
             });
  routes.add("GET", "/v1/properties/{pid}/visitors", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto page = visitors.list_property(actor, http::uuid_param(request, "pid"),
                                                        http::newest_first_query(request));
               nlohmann::json items = nlohmann::json::array();
               for (const auto& visitor : page.items) items.push_back(to_json(visitor));
               return http::page_response(std::move(items), http::next_position(page.next));
             });
  routes.add("DELETE", "/v1/properties/{pid}/visitors/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               visitors.revoke_at_property(actor, http::uuid_param(request, "pid"),
                                           http::uuid_param(request, "id"));
               return http::Response::no_content();
             });
}

}  // namespace frontdoor::visitors
