#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <pqxx/transaction>
#include <string>

#include "frontdoor/notify/channel.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::notify {

struct OutboxMessage {
  Channel channel = Channel::email;
  std::string dedupe_key;  // the same key is queued (and so sent) at most once
  nlohmann::json payload;
  // Time-critical (a ring, "stop ringing", a door result): claimed the moment its
  // transaction commits, on the dispatcher's urgent path, never behind a backlog.
  bool urgent = false;
};

// The payloads the notify module's deliveries understand. `property_id` (may be
// empty) puts a dead letter in that property's audit trail.
OutboxMessage email_message(std::string dedupe_key, const std::string& to,
                            const std::string& subject, const std::string& text,
                            const std::string& html = {}, const std::string& property_id = {});
OutboxMessage sms_message(std::string dedupe_key, const std::string& to, const std::string& text,
                          const std::string& property_id = {});
// To every device of a user. A VoIP push (calls) is worthless once `expires_at`
// has passed and is then dropped rather than retried. Call pushes (voip) are urgent.
OutboxMessage push_message(std::string dedupe_key, const std::string& user_id,
                           const std::string& title, const std::string& body,
                           const nlohmann::json& data, bool voip,
                           const std::string& expires_at = {}, const std::string& property_id = {});

// Queues side effects in the transaction of the change that causes them, so a
// message exists exactly when its cause committed. The same statement notifies
// the dispatchers (NOTIFY, delivered on commit, never for a rolled-back one).
class Outbox {
 public:
  explicit Outbox(db::Pool& pool);
  // Returns false when a message with this dedupe key was already queued.
  bool enqueue(pqxx::work& tx, const OutboxMessage& message) const;
  // Deletes delivered and expired messages finished longer ago than `delivered`,
  // and dead letters older than `dead`; returns how many.
  long long sweep(std::chrono::seconds delivered, std::chrono::seconds dead);
  // What waits on a channel for one property: {pending, oldest_pending_seconds}.
  nlohmann::json pending_for(Channel channel, const std::string& property_id);

 private:
  db::Pool& pool_;
};

}  // namespace frontdoor::notify
