#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace frontdoor::common {

// A small thread-safe map whose entries live for `ttl`, for values that are
// expensive to recompute and safe to serve slightly stale. Bounded: when it is
// full, the entries already expired go first, and if none has, everything goes
// (a cache refilled from the database beats unbounded growth under a flood of
// distinct keys).
template <typename Value>
class ExpiringCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  ExpiringCache(std::chrono::milliseconds ttl, std::size_t max_entries, Now now = Clock::now)
      : ttl_(ttl), max_entries_(max_entries), now_(std::move(now)) {}

  std::optional<Value> get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(key);
    if (found == entries_.end() || found->second.expires <= now_()) return std::nullopt;
    return found->second.value;
  }

  void put(const std::string& key, Value value) {
    std::lock_guard lock(mutex_);
    const auto now = now_();
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
      std::erase_if(entries_, [now](const auto& entry) { return entry.second.expires <= now; });
      if (entries_.size() >= max_entries_) entries_.clear();
    }
    entries_.insert_or_assign(key, Entry{std::move(value), now + ttl_});
  }

  // Drops every entry whose value matches.
  void erase_if(const std::function<bool(const Value&)>& matches) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const auto& entry) { return matches(entry.second.value); });
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct Entry {
    Value value;
    Clock::time_point expires;
  };

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  const Now now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace frontdoor::common
