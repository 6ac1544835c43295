#include "frontdoor/visitors/routes.hpp"

#include "frontdoor/auth/async_guarded_routes.hpp"
#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/json_writer.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/visitors/deny_list.hpp"
#include "frontdoor/visitors/json.hpp"
#include "frontdoor/visitors/rules.hpp"
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

// A weekly pass's schedule (schedule_invalid when only it is wrong), or the
// window of any other kind; each kind refuses the other's fields.
void read_when(const nlohmann::json& body, http::JsonFields& fields, NewVisit& visit) {
  if (visit.kind != Kind::recurring) {
    if (fields.present("schedule")) {
      fields.add_error("schedule", "not_allowed", "Only a recurring pass has a schedule.");
    }
    auto starts = time_field(fields, "starts_at");
    auto ends = time_field(fields, "ends_at");
    fields.finish();
    visit.starts_at = *starts;
    visit.ends_at = *ends;
    return;
  }
  for (const char* name : {"starts_at", "ends_at"}) {
    if (fields.present(name)) {
      fields.add_error(name, "not_allowed",
                       "A recurring pass takes a schedule instead of starts_at and ends_at.");
    }
  }
  std::vector<common::FieldError> problems;
  if (!fields.has("schedule")) {
    problems.push_back({"schedule", "required", "A recurring pass needs its weekly schedule."});
  } else {
    visit.schedule = schedule_from_json(body["schedule"], problems);
  }
  if (!problems.empty() && fields.ok()) throw rules::schedule_refusal(std::move(problems));
  for (auto& problem : problems) {
    fields.add_error(std::move(problem.field), std::move(problem.code), std::move(problem.message));
  }
  fields.finish();
}

NewVisit read_visit(const http::Request& request, bool staff) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  NewVisit visit;
  visit.kind = fields.state<Kind>("kind", false).value_or(Kind::window);
  // A courier's pass: their phone gets the link, their name may be unknown.
  const bool delivery = visit.kind == Kind::delivery;
  auto name = fields.string("name", !delivery, 1, 100);
  auto phone = fields.phone("phone", !staff || delivery);
  auto email = fields.email("email", staff && !delivery);
  std::optional<Access> access;
  if (!staff) access = fields.state<Access>("access", !delivery);
  if (delivery && (access == Access::property_wide || (staff && fields.present("email")))) {
    fields.add_error(access ? "access" : "email", "property_only",
                     "A delivery pass is property-only: the courier gets its link by SMS.");
  }
  if (visit.kind == Kind::window) {
    auto max_uses = fields.integer("max_uses", false, 1, 100);
    if (max_uses) visit.max_uses = static_cast<int>(*max_uses);
  } else if (fields.present("max_uses")) {
    fields.add_error("max_uses", "not_allowed",
                     "Only a window pass takes max_uses: one_time and delivery passes allow one "
                     "entry, and a recurring pass opens on its days.");
  }
  if (!staff) visit.property_id = fields.uuid("property_id", false);
  read_when(body, fields, visit);
  visit.name = name.value_or(kDeliveryName);
  visit.name_given = name.has_value();
  visit.phone = phone;
  visit.email = email;
  visit.access = delivery ? Access::property_only : access.value_or(Access::property_wide);
  return visit;
}

// A phone as people write it ("+1 (555) 000-1111"), in E.164 ("+15550001111").
std::optional<std::string> lenient_phone(http::JsonFields& fields, const char* name) {
  auto text = fields.string(name, false, 1, 32);
  if (!text) return std::nullopt;
  auto digits = common::normalize_phone(*text);
  if (digits.empty()) {
    fields.add_error(name, "format", "Must be an E.164 number such as +15551234567.");
    return std::nullopt;
  }
  return digits;
}

NewDenial read_denial(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  NewDenial denial;
  denial.name = fields.string("name", false, 1, 100);
  denial.phone = lenient_phone(fields, "phone");
  denial.email = fields.email("email", false);
  auto reason = fields.string("reason", true, 1, 500);
  if (fields.ok() && !denial.name && !denial.phone && !denial.email) {
    fields.add_error("name", "one_required", "Name at least one of name, phone and email.");
  }
  fields.finish();
  denial.reason = *reason;
  return denial;
}

nlohmann::json to_json(const Denial& denial) {
  return {{"id", denial.id},
          {"property_id", denial.property_id},
          {"name", http::text_or_null(denial.name)},
          {"phone", http::text_or_null(denial.phone)},
          {"email", http::text_or_null(denial.email)},
          {"reason", denial.reason},
          {"created_at", common::to_rfc3339(denial.created_at)}};
}

// The answer to an addition also says whose passes it revoked.
nlohmann::json added_json(const Denial& denial) {
  auto json = to_json(denial);
  json["revoked_visitor_ids"] = denial.revoked_visitor_ids;
  return json;
}

void add_deny_list_routes(auth::Routes& routes, DenyList& deny_list) {
  routes.add("POST", "/v1/properties/{pid}/deny-list",
             {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto property_id = http::uuid_param(request, "pid");
               return http::json_response(
                   201, added_json(deny_list.add(actor, property_id, read_denial(request))));
             });
  routes.add("GET", "/v1/properties/{pid}/deny-list", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto page = deny_list.list(actor, http::uuid_param(request, "pid"),
                                                http::newest_first_query(request));
               nlohmann::json items = nlohmann::json::array();
               for (const auto& denial : page.items) items.push_back(to_json(denial));
               return http::page_response(std::move(items), http::next_position(page.next));
             });
  routes.add("DELETE", "/v1/properties/{pid}/deny-list/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               deny_list.remove(actor, http::uuid_param(request, "pid"),
                                http::uuid_param(request, "id"));
               return http::Response::no_content();
             });
}

}  // namespace

void add_routes(auth::Routes& routes, VisitorsService& visitors, DenyList& deny_list) {
  add_deny_list_routes(routes, deny_list);
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
