#pragma once

// What the bmx module answers in: a property's site set-up and its health, a
// resident's link, a webhook's receipt. The JSON shapes live in routes.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/common/clock.hpp"

namespace frontdoor::bmx {

// The BMX building a property is connected to, and its placeholder tenant
// (the one staff-added visitors are issued on).
struct Site {
  std::int64_t building_id = 0;
  std::string building_name;
  std::int64_t placeholder_unit_id = 0;
  std::int64_t placeholder_tenant_id = 0;
  common::TimePoint configured_at;
};

// A property's integration as staff see it. Without a site it is not configured
// yet; the placeholder e-mail is what the BMX tenant must be created with.
struct SiteIntegration {
  std::string placeholder_email;
  std::optional<Site> site;
};

// A manager's request that the operator connects the property's BMX building.
struct SetUpRequest {
  std::string id;
  std::string property_id;
  std::string placeholder_email;
  std::optional<std::string> building_name;
  std::optional<std::string> note;
  common::TimePoint created_at;
};

// The last failure of one BMX operation at a property.
struct RecordedError {
  std::string operation;
  std::string kind;
  int bmx_status = 0;  // 0: BMX never answered
  std::string detail;
  std::optional<std::string> bmx_request_id;
  common::TimePoint occurred_at;
};

// A connected site as support sees it: is the building admin's sign-in still
// honoured, and do BMX's webhooks arrive and get processed.
struct ConnectedSite {
  std::int64_t building_id = 0;
  std::string building_name;
  common::TimePoint access_expires_at;
  std::optional<common::TimePoint> revoked_at;  // the sign-in must be repeated
  std::optional<common::TimePoint> last_webhook_at;
  common::TimePoint configured_at;
  int webhooks_waiting = 0;
};

struct Health {
  std::string circuit_state;  // the BMX client's circuit breaker
  std::vector<RecordedError> last_errors;
  int set_up_requests = 0;
  std::optional<common::TimePoint> last_set_up_request_at;
  std::optional<ConnectedSite> site;  // nothing: not configured
};

// A resident's BMX link at one home.
struct Link {
  std::int64_t tenant_id = 0;
  std::int64_t building_id = 0;
  std::string contact_preference;  // BMX's: "mobile_app", "phone_call", ...
  common::TimePoint linked_at;
  // Phone Calls in BMX means BMX rings the phone number: no video, no app call.
  bool video_calls_ready() const { return contact_preference == "mobile_app"; }
};

// What the app shows for one home: the link, or where to sign in to make it.
struct LinkStatus {
  std::string property_id;
  std::optional<Link> link;
  std::optional<std::string> authorize_url;  // when not linked
  // The BMX app is installed on one of the resident's phones too: iOS then shows
  // only one app's incoming call, so calls may seem not to arrive.
  bool bmx_app_also_installed = false;
};

// What became of an inbound webhook.
enum class WebhookReceipt { queued, duplicate, ignored };

}  // namespace frontdoor::bmx
