#include "frontdoor/notify/outbox.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"

namespace frontdoor::notify {

Outbox::Outbox(db::Pool& pool) : pool_(pool) {
  pool.prepare("outbox_pending_for",
               "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 "
               "FROM outbox WHERE status = 'pending' AND NOT urgent AND channel = $1 "
               "AND payload->>'property_id' = $2");
  pool.prepare("outbox_sweep_delivered",
               "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status IN ('sent', "
               "'expired') AND finished_at < now() - $1 * interval '1 second' LIMIT $2 "
               "FOR UPDATE SKIP LOCKED)");
  pool.prepare("outbox_sweep_dead",
               "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status = 'dead' "
               "AND finished_at < now() - $1 * interval '1 second' LIMIT $2 "
               "FOR UPDATE SKIP LOCKED)");
  // No row when a message with this dedupe key was queued before. The function
  // (migration 0009) is also what other modules call in their own statements.
  pool.prepare("outbox_enqueue",
               "SELECT id FROM outbox_enqueue($1, $2, $3::jsonb, $4) AS id WHERE id IS NOT NULL");
}

namespace {

void tag_property(nlohmann::json& payload, const std::string& property_id) {
  if (!property_id.empty()) payload["property_id"] = property_id;
}

}  // namespace

OutboxMessage email_message(std::string dedupe_key, const std::string& to,
                            const std::string& subject, const std::string& text,
                            const std::string& html, const std::string& property_id) {
  nlohmann::json payload = {{"to", to}, {"subject", subject}, {"text", text}};
  if (!html.empty()) payload["html"] = html;
  tag_property(payload, property_id);
  return {"email", std::move(dedupe_key), payload};
}

OutboxMessage sms_message(std::string dedupe_key, const std::string& to, const std::string& text,
                          const std::string& property_id) {
  nlohmann::json payload = {{"to", to}, {"text", text}};
  tag_property(payload, property_id);
  return {"sms", std::move(dedupe_key), payload};
}

OutboxMessage push_message(std::string dedupe_key, const std::string& user_id,
                           const std::string& title, const std::string& body,
                           const nlohmann::json& data, bool voip, const std::string& expires_at,
                           const std::string& property_id) {
  nlohmann::json payload = {
      {"user_id", user_id}, {"title", title}, {"body", body}, {"data", data}, {"voip", voip}};
  if (!expires_at.empty()) payload["expires_at"] = expires_at;
  tag_property(payload, property_id);
  return {"push", std::move(dedupe_key), payload, voip};
}

nlohmann::json Outbox::pending_for(const std::string& channel, const std::string& property_id) {
  auto row = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec_prepared1("outbox_pending_for", channel, property_id);
  });
  return {{"pending", row[0].as<long long>()}, {"oldest_pending_seconds", row[1].as<double>()}};
}

long long Outbox::sweep(std::chrono::seconds delivered, std::chrono::seconds dead) {
  return db::sweep(pool_, "outbox_sweep_delivered", delivered.count()) +
         db::sweep(pool_, "outbox_sweep_dead", dead.count());
}

bool Outbox::enqueue(pqxx::work& tx, const OutboxMessage& message) const {
  return !tx.exec_prepared("outbox_enqueue", message.channel, message.dedupe_key,
                           message.payload.dump(), message.urgent)
              .empty();
}

}  // namespace frontdoor::notify
