#include "frontdoor/common/circuit_breaker.hpp"

namespace frontdoor::common {

CircuitBreaker::CircuitBreaker(int threshold, std::chrono::milliseconds open_for, Now now)
    : threshold_(threshold), open_for_(open_for), now_(std::move(now)) {}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  if (!is_open()) return true;
  if (probing_ || now_() < opened_at_ + open_for_) return false;
  probing_ = true;
  return true;
}

bool CircuitBreaker::succeeded() {
  std::lock_guard lock(mutex_);
  const bool was_open = is_open();
  failures_ = 0;
  probing_ = false;
  return was_open;
}

bool CircuitBreaker::failed() {
  std::lock_guard lock(mutex_);
  const bool was_open = is_open();
  probing_ = false;
  // A failed probe opens it for another period; so does reaching the threshold.
  if (++failures_ >= threshold_) opened_at_ = now_();
  return !was_open && is_open();
}

void CircuitBreaker::no_probe() {
  std::lock_guard lock(mutex_);
  probing_ = false;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  if (!is_open()) return State::closed;
  if (probing_) return State::half_open;
  return now_() < opened_at_ + open_for_ ? State::open : State::half_open;
}

}  // namespace frontdoor::common
