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

// Queues side effects in the transaction of the change that causes them, so a
// message exists exactly when its cause committed.
class Outbox {
 public:
  explicit Outbox(db::Pool& pool);
  // Returns false when a message with this dedupe key was already queued.
  bool enqueue(pqxx::work& tx, const OutboxMessage& message) const;
};

}  // namespace frontdoor::notify
