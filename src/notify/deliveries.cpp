#include "frontdoor/notify/deliveries.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::notify {
namespace {

Delivery verdict(const SendResult& result) {
  switch (result.outcome) {
    case SendResult::Outcome::sent:
      return Delivery::ok();
    case SendResult::Outcome::retry:
      return Delivery::later(result.detail);
    default:
      return Delivery::give_up(result.detail);
  }
}

const char* outcome_word(SendResult::Outcome outcome) {
  switch (outcome) {
    case SendResult::Outcome::sent:
      return "sent";
    case SendResult::Outcome::retry:
      return "failed_will_retry";
    case SendResult::Outcome::rejected:
      return "rejected";
    case SendResult::Outcome::gone:
      return "token_unregistered";
  }
  return "unknown";
}

}  // namespace

Deliveries::Deliveries(db::Pool& pool, SmsGateway& sms, EmailGateway& email, PushGateway& push,
                       const common::Clock& clock)
    : pool_(pool), sms_(sms), email_(email), push_(push), clock_(clock) {
  store::prepare_devices(pool_);
}

void Deliveries::register_on(Dispatcher& dispatcher) {
  dispatcher.handle(Channel::email, "",
                    [this](const nlohmann::json& p) { return deliver_email(p); });
  dispatcher.handle(Channel::sms, "", [this](const nlohmann::json& p) { return deliver_sms(p); });
  dispatcher.handle(Channel::push, "", [this](const nlohmann::json& p) { return deliver_push(p); });
}

Delivery Deliveries::deliver_email(const nlohmann::json& payload) {
  return verdict(email_.send({payload.value("to", ""), payload.value("subject", ""),
                              payload.value("text", ""), payload.value("html", "")}));
}

Delivery Deliveries::deliver_sms(const nlohmann::json& payload) {
  return verdict(sms_.send(payload.value("to", ""), payload.value("text", "")));
}

void Deliveries::send_only_while(const std::string& type, StillWanted wanted) {
  still_wanted_[type] = std::move(wanted);
}

Delivery Deliveries::deliver_push(const nlohmann::json& payload) {
  // A ring that arrives after the call is over only confuses: drop it.
  if (payload.contains("expires_at")) {
    auto expires = common::parse_rfc3339(payload["expires_at"].get<std::string>());
    if (expires && *expires < clock_.now()) return Delivery::expired("expired before delivery");
  }
  const auto data = payload.value("data", nlohmann::json::object());
  if (auto guard = still_wanted_.find(data.value("type", "")); guard != still_wanted_.end()) {
    if (!guard->second(data)) return Delivery::expired("no longer wanted when its turn came");
  }
  const auto user_id = payload.value("user_id", "");
  const bool voip = payload.value("voip", false);
  const auto devices = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::devices_of(tx, user_id);
  });
  int sent = 0, retry = 0;
  std::string last_error;
  for (const auto& device : devices) {
    Push push;
    push.platform = device.platform;
    // iOS rings through PushKit with the VoIP token when it has one.
    push.token = (voip && push.platform == "ios" && device.voip_token) ? *device.voip_token
                                                                       : device.push_token;
    push.voip = voip;
    push.title = payload.value("title", "");
    push.body = payload.value("body", "");
    push.data = payload.value("data", nlohmann::json::object());
    const auto result = push_.send(push);
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      if (result.outcome == SendResult::Outcome::gone) {
        store::forget_device(tx, device.id);
      } else {
        store::device_pushed(tx, device.id, outcome_word(result.outcome));
      }
    });
    if (result.outcome == SendResult::Outcome::sent) ++sent;
    if (result.outcome == SendResult::Outcome::retry) {
      ++retry;
      last_error = result.detail;
    }
  }
  // Devices that were reached are not pushed again for the sake of one that was not.
  if (sent == 0 && retry > 0) return Delivery::later(last_error);
  return Delivery::ok();
}

}  // namespace frontdoor::notify
