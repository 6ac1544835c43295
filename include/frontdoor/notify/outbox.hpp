#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/transaction>
#include <string>

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::notify {

struct OutboxMessage {
  std::string channel;     // "email", "sms", "push" or "bmx"
  std::string dedupe_key;  // the same key is queued (and so sent) at most once
  nlohmann::json payload;
};

// The payloads the notify module's deliveries understand. `property_id` (may be
// empty) puts a dead letter in that property's audit trail.
OutboxMessage email_message(std::string dedupe_key, const std::string& to,
                            const std::string& subject, const std::string& text,
                            const std::string& html = {}, const std::string& property_id = {});
OutboxMessage sms_message(std::string dedupe_key, const std::string& to, const std::string& text,
                          const std::string& property_id = {});
// To every device of a user. A VoIP push (calls) is worthless once `expires_at`
// has passed and is then dropped rather than retried.
OutboxMessage push_message(std::string dedupe_key, const std::string& user_id,
                           const std::string& title, const std::string& body,
                           const nlohmann::json& data, bool voip,
                           const std::string& expires_at = {}, const std::string& property_id = {});

// Queues side effects in the transaction of the change that causes them, so a
// message exists exactly when its cause committed.
class Outbox {
 public:
  explicit Outbox(db::Pool& pool);
  // Returns false when a message with this dedupe key was already queued.
  bool enqueue(pqxx::work& tx, const OutboxMessage& message) const;
};

}  // namespace frontdoor::notify
