#pragma once

#include <chrono>

namespace frontdoor::common {

using TimePoint = std::chrono::system_clock::time_point;

// Every rule that depends on "now" asks a Clock, so tests can move time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace frontdoor::common
