#include "frontdoor/notify/outbox.hpp"

#include "frontdoor/db/pool.hpp"

namespace frontdoor::notify {

Outbox::Outbox(db::Pool& pool) {
  pool.prepare("outbox_enqueue",
               "INSERT INTO outbox (channel, dedupe_key, payload) VALUES ($1, $2, $3::jsonb) "
               "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id");
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
  return {"push", std::move(dedupe_key), payload};
}

bool Outbox::enqueue(pqxx::work& tx, const OutboxMessage& message) const {
  return !tx.exec_prepared("outbox_enqueue", message.channel, message.dedupe_key,
                           message.payload.dump())
              .empty();
}

}  // namespace frontdoor::notify
