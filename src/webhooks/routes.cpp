#include "frontdoor/webhooks/routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/uuid.hpp"
#include "frontdoor/webhooks/rules.hpp"
#include "frontdoor/webhooks/service.hpp"

namespace frontdoor::webhooks {
namespace {

constexpr std::size_t kMostEvents = 20;

// `events`: a non-empty list of published types or "*", each named once.
std::vector<std::string> read_events(http::JsonFields& fields) {
  const auto& found = fields.raw("events");
  if (!found.is_array() || found.empty() || found.size() > kMostEvents) {
    fields.add_error("events", "required",
                     "Give a list of 1 to 20 event types (or \"*\" for all of them).");
    return {};
  }
  std::vector<std::string> events;
  const auto& known = event_types();
  for (const auto& item : found) {
    const bool valid =
        item.is_string() && (item == "*" || std::find(known.begin(), known.end(),
                                                      item.get<std::string>()) != known.end());
    if (!valid) {
      fields.add_error("events", "unknown_event",
                       "Each event must be one of the published types or \"*\".");
      return {};
    }
    if (std::find(events.begin(), events.end(), item.get<std::string>()) == events.end()) {
      events.push_back(item.get<std::string>());
    }
  }
  return events;
}

NewSubscription read_subscription(const http::Request& request) {
  const auto body = http::parse_json_body(request);
  http::JsonFields fields(body);
  auto url = fields.string("url", true, 1, 2000);
  auto description = fields.string("description", false, 1, 200);
  auto events = read_events(fields);
  fields.finish();
  return {*url, std::move(events), std::move(description)};
}

nlohmann::json to_json(const Subscription& subscription) {
  nlohmann::json json = {
      {"id", subscription.id},
      {"property_id", subscription.property_id},
      {"url", subscription.url},
      {"events", subscription.events},
      {"description", http::text_or_null(subscription.description)},
      {"created_at", common::to_rfc3339(subscription.created_at)},
      {"previous_secret_until", http::time_or_null(subscription.previous_secret_until)}};
  if (!subscription.secret.empty()) json["secret"] = subscription.secret;
  return json;
}

nlohmann::json to_json(const DeliveryRecord& delivery) {
  return {{"id", delivery.id},
          {"event_id", delivery.event_id},
          {"type", delivery.type},
          {"status", std::string(common::name_of(delivery.status))},
          {"attempts", delivery.attempts},
          {"last_status_code", http::value_or_null(delivery.last_status_code)},
          {"last_error", http::text_or_null(delivery.last_error)},
          {"next_attempt_at", http::time_or_null(delivery.next_attempt_at)},
          {"created_at", common::to_rfc3339(delivery.created_at)}};
}

}  // namespace

void add_routes(auth::Routes& routes, Webhooks& webhooks) {
  const std::string base = "/v1/properties/{pid}/webhooks";
  routes.add("POST", base,
             {.caller = auth::Caller::person, .idempotent = true, .shown_once = {"secret"}},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   201, to_json(webhooks.create(actor, http::uuid_param(request, "pid"),
                                                read_subscription(request))));
             });
  routes.add(
      "GET", base, {.caller = auth::Caller::person},
      [&](http::Request& request, const auth::Principal& actor) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& subscription : webhooks.list(actor, http::uuid_param(request, "pid"))) {
          items.push_back(to_json(subscription));
        }
        return http::page_response(std::move(items), std::nullopt);
      });
  routes.add("DELETE", base + "/{id}", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               webhooks.remove(actor, http::uuid_param(request, "pid"),
                               http::uuid_param(request, "id"));
               return http::Response::no_content();
             });
  routes.add("POST", base + "/{id}/rotate-secret", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   200, to_json(webhooks.rotate_secret(actor, http::uuid_param(request, "pid"),
                                                       http::uuid_param(request, "id"))));
             });
  routes.add("GET", base + "/{id}/deliveries", {.caller = auth::Caller::person},
             [&](http::Request& request, const auth::Principal& actor) {
               const auto page = webhooks.deliveries(actor, http::uuid_param(request, "pid"),
                                                     http::uuid_param(request, "id"),
                                                     http::newest_first_query(request));
               nlohmann::json items = nlohmann::json::array();
               for (const auto& delivery : page.items) items.push_back(to_json(delivery));
               return http::page_response(std::move(items), http::next_position(page.next));
             });
  routes.add("POST", base + "/{id}/deliveries/{did}/redeliver",
             {.caller = auth::Caller::person, .idempotent = true},
             [&](http::Request& request, const auth::Principal& actor) {
               return http::json_response(
                   202, to_json(webhooks.redeliver(actor, http::uuid_param(request, "pid"),
                                                   http::uuid_param(request, "id"),
                                                   http::uuid_param(request, "did"))));
             });
}

}  // namespace frontdoor::webhooks
