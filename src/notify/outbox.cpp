#include "frontdoor/notify/outbox.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::notify {

Outbox::Outbox(db::Pool& pool) : pool_(pool) { store::prepare_queueing(pool_); }

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
  return {Channel::email, std::move(dedupe_key), payload};
}

OutboxMessage sms_message(std::string dedupe_key, const std::string& to, const std::string& text,
                          const std::string& property_id) {
  nlohmann::json payload = {{"to", to}, {"text", text}};
  tag_property(payload, property_id);
  return {Channel::sms, std::move(dedupe_key), payload};
}

OutboxMessage push_message(std::string dedupe_key, const std::string& user_id,
                           const std::string& title, const std::string& body,
                           const nlohmann::json& data, bool voip, const std::string& expires_at,
                           const std::string& property_id) {
  nlohmann::json payload = {
      {"user_id", user_id}, {"title", title}, {"body", body}, {"data", data}, {"voip", voip}};
  if (!expires_at.empty()) payload["expires_at"] = expires_at;
  tag_property(payload, property_id);
  return {Channel::push, std::move(dedupe_key), payload, voip};
}

nlohmann::json Outbox::pending_for(Channel channel, const std::string& property_id) {
  const auto backlog = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::pending_for(tx, channel, property_id);
  });
  return {{"pending", backlog.pending}, {"oldest_pending_seconds", backlog.oldest_pending_seconds}};
}

long long Outbox::sweep(std::chrono::seconds delivered, std::chrono::seconds dead) {
  return store::sweep(pool_, delivered, dead);
}

bool Outbox::enqueue(pqxx::work& tx, const OutboxMessage& message) const {
  return store::enqueue(tx, message.channel, message.dedupe_key, message.payload, message.urgent);
}

}  // namespace frontdoor::notify
