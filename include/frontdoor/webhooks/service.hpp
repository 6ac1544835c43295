#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"
#include "frontdoor/common/names.hpp"
#include "frontdoor/notify/dispatcher.hpp"

namespace frontdoor::db {
class Pool;
}
namespace frontdoor::bmx {
class TokenCipher;
}
namespace frontdoor::audit {
class AuditTrail;
}

namespace frontdoor::webhooks {

struct NewSubscription {
  std::string url;
  std::vector<std::string> events;  // published types, or "*"
  std::optional<std::string> description;
};

struct Subscription {
  std::string id;
  std::string property_id;
  std::string url;
  std::vector<std::string> events;
  std::optional<std::string> description;
  common::TimePoint created_at;
  std::optional<common::TimePoint> previous_secret_until;  // while the old secret still signs
  std::string secret;  // only when just created or rotated: shown once
};

// Where a delivery stands: still to be (re)tried, or over one way or the other.
enum class DeliveryStatus { pending, delivered, failed };

struct DeliveryRecord {
  std::string id;
  std::string event_id;
  std::string type;
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;
  std::optional<int> last_status_code;
  std::optional<std::string> last_error;
  std::optional<common::TimePoint> next_attempt_at;  // pending deliveries only
  common::TimePoint created_at;  // also the list's keyset position, to the microsecond
};

using DeliveryQuery = common::PageQuery<common::TimeAndId>;
using DeliveryPage = common::Page<DeliveryRecord, common::TimeAndId>;

struct Options {
  // Development only: plain http, and targets on loopback, private or link-local
  // addresses (the demo's and the tests' receivers run on 127.0.0.1).
  bool allow_http = false;
  bool allow_internal_addresses = false;
  std::chrono::milliseconds timeout{10000};
  // A scheduled retry is looked at again at least this often, so that the
  // schedule is judged by the injected clock and not by the database's.
  std::chrono::milliseconds recheck{60000};
};

// Integrators' webhooks: subscriptions per property, and delivery of the events
// the audit trail publishes (migration 0015), signed, retried on the published
// schedule for 24 h, through the outbox's webhook lane.
class Webhooks {
 public:
  Webhooks(db::Pool& pool, const bmx::TokenCipher& cipher, const audit::AuditTrail& audit,
           const common::Clock& clock, Options options);

  // Managers and admins of the property (404 for outsiders, 403 for others).
  Subscription create(const auth::Principal& actor, const std::string& property_id,
                      const NewSubscription& subscription);
  std::vector<Subscription> list(const auth::Principal& actor, const std::string& property_id);
  void remove(const auth::Principal& actor, const std::string& property_id,
              const std::string& subscription_id);
  // A new secret; the one it replaces keeps signing beside it for 24 h.
  Subscription rotate_secret(const auth::Principal& actor, const std::string& property_id,
                             const std::string& subscription_id);
  DeliveryPage deliveries(const auth::Principal& actor, const std::string& property_id,
                          const std::string& subscription_id, const DeliveryQuery& query);
  // The same event to the same subscription again, as a new delivery.
  DeliveryRecord redeliver(const auth::Principal& actor, const std::string& property_id,
                           const std::string& subscription_id, const std::string& delivery_id);

  void register_on(notify::Dispatcher& dispatcher);
  // One delivery attempt when it is due (the webhook lane's handler).
  notify::Delivery deliver(const std::string& delivery_id);

 private:
  // 422 unless the URL may receive deliveries (scheme, and the addresses it resolves to now).
  void check_new_url(const std::string& url) const;
  notify::Delivery not_before(common::TimePoint due, common::TimePoint now) const;

  db::Pool& pool_;
  const bmx::TokenCipher& cipher_;
  const audit::AuditTrail& audit_;
  const common::Clock& clock_;
  Options options_;
};

}  // namespace frontdoor::webhooks

namespace frontdoor::common {

template <>
struct Names<webhooks::DeliveryStatus> {
  using Status = webhooks::DeliveryStatus;
  static constexpr std::array<std::pair<Status, std::string_view>, 3> all{
      {{Status::pending, "pending"}, {Status::delivered, "delivered"}, {Status::failed, "failed"}}};
};

}  // namespace frontdoor::common
