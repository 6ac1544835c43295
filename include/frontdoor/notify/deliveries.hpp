#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

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
  // A push whose data.type is `type` is sent only while `wanted(data)` holds when
  // its turn comes (a ring only while the call still rings); otherwise it is
  // dropped and counted in frontdoor_push_expired_total. Register before start.
  using StillWanted = std::function<bool(const nlohmann::json& data)>;
  void send_only_while(const std::string& type, StillWanted wanted);

  Delivery deliver_email(const nlohmann::json& payload);
  Delivery deliver_sms(const nlohmann::json& payload);
  Delivery deliver_push(const nlohmann::json& payload);

 private:
  db::Pool& pool_;
  SmsGateway& sms_;
  EmailGateway& email_;
  PushGateway& push_;
  const common::Clock& clock_;
  std::map<std::string, StillWanted> still_wanted_;
};

}  // namespace frontdoor::notify
