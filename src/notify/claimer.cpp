// A lane's claimer: takes due messages when a worker is free to deliver them,
// and keeps the leases of what the lane holds alive while it works.
#include <pqxx/pqxx>

#include "frontdoor/common/log.hpp"
#include "frontdoor/db/pool.hpp"
#include "lane.hpp"

namespace frontdoor::notify {
namespace {

// Rows a lane claims at once: enough to keep its workers busy, few enough that
// another instance gets its share.
constexpr int kMostClaimedAtOnce = 16;

// A Postgres array literal of these words (our own ids, channel and kind names).
std::string array_literal(const std::vector<std::string>& words, bool quoted) {
  std::string array = "{";
  for (const auto& word : words) {
    if (array.size() > 1) array += ",";
    array += quoted ? "\"" + word + "\"" : word;
  }
  return array + "}";
}

}  // namespace

void Lane::claimer_loop() {
  const auto poll = urgent_ ? shared_.options.urgent_poll_interval : shared_.options.poll_interval;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Work to claim only when a worker is free to take it.
    claimer_wakeup_.wait_for(lock, poll, [this] {
      return stopping_ ||
             (idle_workers_ > static_cast<int>(queue_.size()) && (woken_ || !announced_.empty()));
    });
    if (stopping_) break;
    woken_ = false;
    const int free = idle_workers_ - static_cast<int>(queue_.size());
    std::deque<std::string> ids;
    if (free > 0) ids.swap(announced_);
    lock.unlock();
    const int most = free > 0 ? claimable(free) : 0;
    auto claimed = most > 0 ? claim_due(ids, most) : std::vector<store::Claimed>{};
    hold(claimed);
    renew_leases();
    lock.lock();
    const bool full = most > 0 && static_cast<int>(claimed.size()) >= most;
    for (auto& message : claimed) queue_.push_back(std::move(message));
    if (!claimed.empty()) work_ready_.notify_all();
    // A full claim suggests more is due: look again as soon as a worker is free.
    if (full) woken_ = true;
  }
}

int Lane::claimable(int free) {
  const int most = std::min(free, kMostClaimedAtOnce);
  if (urgent_) return most;
  // Open: nothing until it is time for one probe; half-open: the probe is out.
  if (!breaker_.allow()) return 0;
  return breaker_.state() == common::CircuitBreaker::State::half_open ? 1 : most;
}

std::vector<store::Claimed> Lane::claim_due(const std::deque<std::string>& announced, int most) {
  std::vector<store::Claimed> claimed;
  try {
    for (const auto& id : announced) {
      for (auto& message : claim_announced(id)) claimed.push_back(std::move(message));
    }
    if (static_cast<int>(claimed.size()) < most) {
      for (auto& message : claim(most - static_cast<int>(claimed.size()))) {
        claimed.push_back(std::move(message));
      }
    }
  } catch (const std::exception& failure) {
    // The database is away: try again at the next poll.
    common::log::warn("outbox claim failed", {{"lane", name_}, {"error", failure.what()}});
  }
  // A probe needs a message to try; without one the next claim may probe.
  if (claimed.empty() && breaker_.state() == common::CircuitBreaker::State::half_open) {
    breaker_.no_probe();
  }
  return claimed;
}

std::vector<store::Claimed> Lane::claim(int most) {
  return shared_.pool.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto claimed = urgent_ ? store::claim_urgent(tx, keys_array_, lease_for(), most)
                           : store::claim_lane(tx, name_, keys_array_, lease_for(), most);
    tx.commit();
    return claimed;
  });
}

std::vector<store::Claimed> Lane::claim_announced(const std::string& id) {
  return shared_.pool.run([&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    auto claimed = store::claim_announced(tx, id, keys_array_, lease_for());
    tx.commit();
    return claimed;
  });
}

std::chrono::milliseconds Lane::lease_for() const {
  return urgent_ ? shared_.options.urgent_lease : shared_.options.lease;
}

void Lane::hold(const std::vector<store::Claimed>& claimed) {
  std::lock_guard lock(mutex_);
  for (const auto& message : claimed) held_.insert(message.id);
}

void Lane::release(const std::string& id) {
  std::lock_guard lock(mutex_);
  held_.erase(id);
}

void Lane::renew_leases() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (held_.empty() || now < next_renewal_) return;
    next_renewal_ = now + lease_for() / 3;
    ids.assign(held_.begin(), held_.end());
  }
  try {
    shared_.pool.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      store::renew(tx, array_literal(ids, false), lease_for());
    });
  } catch (const std::exception& failure) {
    // The database is away: the claims may lapse, and another instance (or this
    // one) delivers those messages again. At least once, never lost.
    common::log::warn("outbox lease renewal failed", {{"lane", name_}, {"error", failure.what()}});
  }
}

int Lane::run_once() {
  if (keys_.empty()) return 0;
  keys_array_ = array_literal(keys_, true);
  int handled = 0;
  while (true) {
    const auto claimed = claim(kMostClaimedAtOnce);
    for (const auto& message : claimed) deliver(message);
    handled += static_cast<int>(claimed.size());
    if (static_cast<int>(claimed.size()) < kMostClaimedAtOnce) break;
  }
  return handled;
}

void Lane::start() {
  if (keys_.empty() || claimer_.joinable()) return;
  declare_series();
  keys_array_ = array_literal(keys_, true);
  stopping_ = false;
  const int workers =
      std::max(1, urgent_ ? shared_.options.urgent_concurrency : options_.concurrency);
  idle_workers_ = workers;
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  claimer_ = std::thread([this] { claimer_loop(); });
}

}  // namespace frontdoor::notify
