#include "frontdoor/notify/outbox.hpp"

#include "frontdoor/db/pool.hpp"

namespace frontdoor::notify {

Outbox::Outbox(db::Pool& pool) {
  pool.prepare("outbox_enqueue",
               "INSERT INTO outbox (channel, dedupe_key, payload) VALUES ($1, $2, $3::jsonb) "
               "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id");
}

bool Outbox::enqueue(pqxx::work& tx, const OutboxMessage& message) const {
  return !tx.exec_prepared("outbox_enqueue", message.channel, message.dedupe_key,
                           message.payload.dump())
              .empty();
}

}  // namespace frontdoor::notify
