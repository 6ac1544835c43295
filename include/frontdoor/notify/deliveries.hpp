#pragma once

#include <nlohmann/json.hpp>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/notify/dispatcher.hpp"
#include "frontdoor/notify/gateways.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::notify {

// Delivers the outbox's e-mail, SMS and push messages through the gateways.
// A push goes to every device of its user; a device whose token is dead is
// forgotten, and each device keeps the outcome of its last push for support.
class Deliveries {
 public:
  Deliveries(db::Pool& pool, SmsGateway& sms, EmailGateway& email, PushGateway& push,
             const common::Clock& clock);
  void register_on(Dispatcher& dispatcher);

  Delivery deliver_email(const nlohmann::json& payload);
  Delivery deliver_sms(const nlohmann::json& payload);
  Delivery deliver_push(const nlohmann::json& payload);

 private:
  db::Pool& pool_;
  SmsGateway& sms_;
  EmailGateway& email_;
  PushGateway& push_;
  const common::Clock& clock_;
};

}  // namespace frontdoor::notify
