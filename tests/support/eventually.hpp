#pragma once

#include <chrono>
#include <thread>

namespace frontdoor::testing {

// Polls `done` until it holds or `limit` has passed: for what the server does
// after answering (outbox deliveries, pushes, sweeps). The limit only matters
// when a test fails, so it is generous for a loaded 2-core machine.
template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

}  // namespace frontdoor::testing
