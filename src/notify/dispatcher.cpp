#include "frontdoor/notify/dispatcher.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/pool.hpp"
#include "frontdoor/http/metrics.hpp"

namespace frontdoor::notify {
namespace {

struct Claimed {
  std::string id;
  std::string key;
  nlohmann::json payload;
  int attempts;
};

}  // namespace

Dispatcher::Dispatcher(db::Pool& pool, http::Metrics& metrics, DispatcherOptions options)
    : pool_(pool), metrics_(metrics), options_(options) {
  // The lease moves next_attempt_at forward: if this process dies mid-delivery
  // the message is due again once the lease runs out.
  pool_.prepare(
      "outbox_claim",
      "UPDATE outbox SET attempts = attempts + 1, "
      "next_attempt_at = now() + $2 * interval '1 millisecond' "
      "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' "
      "AND next_attempt_at <= now() "
      "AND channel || ':' || coalesce(payload->>'kind', '') = ANY($1::text[]) "
      "ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "RETURNING id, channel || ':' || coalesce(payload->>'kind', ''), payload, attempts");
  pool_.prepare("outbox_done",
                "UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL "
                "WHERE id = $1");
  pool_.prepare("outbox_expired",
                "UPDATE outbox SET status = 'expired', sent_at = now(), last_error = $2 "
                "WHERE id = $1");
  pool_.prepare("outbox_retry",
                "UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', "
                "last_error = $3 WHERE id = $1");
  // A dead letter is an event someone must look at: it goes to the audit trail
  // of its property (when the message names one) in the same statement.
  pool_.prepare("outbox_dead",
                "WITH dead AS (UPDATE outbox SET status = 'dead', last_error = $2 WHERE id = $1 "
                "RETURNING id, channel, payload) "
                "INSERT INTO audit_events (property_id, actor, action, subject_type, subject_id, "
                "details) SELECT (SELECT id FROM properties WHERE id::text = "
                "dead.payload->>'property_id'), 'system:outbox', 'outbox.dead_lettered', "
                "'outbox', dead.id::text, jsonb_build_object('channel', dead.channel, "
                "'kind', dead.payload->>'kind', 'error', $2::text) FROM dead");
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::handle(const std::string& channel, const std::string& kind, Handler handler,
                        GivenUp given_up) {
  const auto key = channel + ":" + kind;
  handlers_[key] = {std::move(handler), std::move(given_up)};
  handled_keys_ = "{";
  for (const auto& [name, unused] : handlers_) {
    handled_keys_ += (handled_keys_.size() > 1 ? "," : "") + std::string("\"") + name + "\"";
  }
  handled_keys_ += "}";
}

void Dispatcher::every_pass(std::function<void()> task) { periodic_.push_back(std::move(task)); }

void Dispatcher::start() {
  if ((handlers_.empty() && periodic_.empty()) || thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

void Dispatcher::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    int handled = 0;
    try {
      for (const auto& task : periodic_) task();
      handled = run_once();
    } catch (const std::exception& failure) {
      // The database is away or a handler misbehaved: try again at the next poll.
      common::log::warn("outbox pass failed", {{"error", failure.what()}});
    }
    lock.lock();
    // A full batch suggests more is due: go again at once.
    if (handled >= options_.batch_size) continue;
    wakeup_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

void Dispatcher::give_up(const std::string& key, const nlohmann::json& payload,
                         const std::string& error) {
  const auto& given_up = handlers_.at(key).given_up;
  if (!given_up) return;
  try {
    given_up(payload, error);
  } catch (const std::exception& failure) {
    // Dead-lettered all the same, and visible there. When the database is away,
    // writing the dead letter fails too: the message comes back after its lease
    // and is given up again then.
    common::log::error("outbox give-up step failed", {{"kind", key}, {"internal", failure.what()}});
  }
}

int Dispatcher::run_once() {
  if (handlers_.empty()) return 0;
  std::vector<Claimed> claimed;
  pool_.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    for (const auto& row :
         tx.exec_prepared("outbox_claim", handled_keys_,
                          static_cast<long long>(options_.lease.count()), options_.batch_size)) {
      claimed.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                         nlohmann::json::parse(row[2].as<std::string>()), row[3].as<int>()});
    }
    tx.commit();
  });
  for (const auto& message : claimed) {
    Delivery result;
    try {
      result = handlers_.at(message.key).handler(message.payload);
    } catch (const std::exception& failure) {
      result = Delivery::later(failure.what());
    }
    if (result.outcome == Delivery::Outcome::retry && message.attempts >= options_.max_attempts) {
      result.outcome = Delivery::Outcome::dead;
      give_up(message.key, message.payload, result.error);
    }
    const auto backoff = std::min<long long>(options_.backoff_cap.count(),
                                             static_cast<long long>(options_.backoff_base.count())
                                                 << std::min(message.attempts - 1, 20));
    pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      switch (result.outcome) {
        case Delivery::Outcome::done:
          tx.exec_prepared("outbox_done", message.id);
          break;
        case Delivery::Outcome::retry:
          tx.exec_prepared("outbox_retry", message.id, backoff, result.error);
          break;
        case Delivery::Outcome::expired:
          tx.exec_prepared("outbox_expired", message.id, result.error);
          metrics_.increment("frontdoor_outbox_expired_total",
                             "Outbox messages dropped because they could no longer matter.",
                             {{"kind", message.key}});
          break;
        case Delivery::Outcome::dead:
          common::log::error("outbox message dead-lettered",
                             {{"id", message.id}, {"kind", message.key}, {"error", result.error}});
          tx.exec_prepared("outbox_dead", message.id, result.error);
          metrics_.increment("frontdoor_outbox_dead_total",
                             "Outbox messages given up after their last attempt.",
                             {{"kind", message.key}});
          break;
      }
    });
  }
  return static_cast<int>(claimed.size());
}

}  // namespace frontdoor::notify
