#pragma once

// A circuit breaker shared by the BMX client and the outbox lanes: after
// `threshold` failures in a row it opens and lets nothing through for
// `open_for`; then it lets exactly one call through as a probe (half-open). The
// probe's success closes it; its failure opens it again for another `open_for`.
#include <chrono>
#include <functional>
#include <mutex>

#include "frontdoor/common/names.hpp"

namespace frontdoor::common {

class CircuitBreaker {
 public:
  enum class State { closed, open, half_open };
  using SteadyClock = std::chrono::steady_clock;
  using Now = std::function<SteadyClock::time_point()>;

  CircuitBreaker(
      int threshold, std::chrono::milliseconds open_for,
      Now now = [] { return SteadyClock::now(); });

  // Whether a call may go now. While open, once `open_for` has passed, the first
  // caller gets true and becomes the probe; everyone else waits for its result.
  bool allow();
  // The allowed call succeeded. True when that closed a circuit that was not
  // closed (what the outage pushed back may be retried at once).
  bool succeeded();
  // The allowed call failed. True when that opened the circuit.
  bool failed();
  // The probe was let through but had nothing to try: the next caller may probe.
  void no_probe();
  State state() const;

 private:
  bool is_open() const { return failures_ >= threshold_; }

  mutable std::mutex mutex_;
  const int threshold_;
  const std::chrono::milliseconds open_for_;
  const Now now_;
  int failures_ = 0;
  bool probing_ = false;
  SteadyClock::time_point opened_at_{};
};

template <>
struct Names<CircuitBreaker::State> {
  using State = CircuitBreaker::State;
  static constexpr std::array<std::pair<State, std::string_view>, 3> all{
      {{State::closed, "closed"}, {State::open, "open"}, {State::half_open, "half_open"}}};
};

}  // namespace frontdoor::common
