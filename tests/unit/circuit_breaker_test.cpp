// The circuit breaker the BMX client and the outbox lanes share, on a clock the
// test moves by hand.
#include "frontdoor/common/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace frontdoor::common {
namespace {

using State = CircuitBreaker::State;
using std::chrono::milliseconds;

struct Breaker {
  CircuitBreaker::SteadyClock::time_point now{};
  CircuitBreaker breaker{3, milliseconds(1000), [this] { return now; }};
};

TEST(CircuitBreaker, OpensAfterFailuresInARowAndOnlyThen) {
  Breaker b;
  EXPECT_FALSE(b.breaker.failed());
  EXPECT_FALSE(b.breaker.failed());
  // A success in between starts the count again.
  EXPECT_FALSE(b.breaker.succeeded());
  EXPECT_FALSE(b.breaker.failed());
  EXPECT_FALSE(b.breaker.failed());
  EXPECT_EQ(b.breaker.state(), State::closed);
  EXPECT_TRUE(b.breaker.allow());
  EXPECT_TRUE(b.breaker.failed()) << "the third failure in a row opens it";
  EXPECT_EQ(b.breaker.state(), State::open);
  EXPECT_FALSE(b.breaker.allow());
  EXPECT_EQ(name_of(b.breaker.state()), "open");
}

TEST(CircuitBreaker, LetsOneProbeThroughAfterTheOpenPeriod) {
  Breaker b;
  for (int i = 0; i < 3; ++i) b.breaker.failed();
  b.now += milliseconds(999);
  EXPECT_FALSE(b.breaker.allow());
  b.now += milliseconds(1);
  EXPECT_EQ(b.breaker.state(), State::half_open);
  EXPECT_TRUE(b.breaker.allow()) << "the probe";
  EXPECT_FALSE(b.breaker.allow()) << "only one probe at a time";
  EXPECT_EQ(b.breaker.state(), State::half_open);
  // A failed probe opens it for another full period.
  EXPECT_FALSE(b.breaker.failed()) << "it was open already";
  EXPECT_EQ(b.breaker.state(), State::open);
  b.now += milliseconds(999);
  EXPECT_FALSE(b.breaker.allow());
  b.now += milliseconds(1);
  EXPECT_TRUE(b.breaker.allow());
  // A successful probe closes it, and says so once.
  EXPECT_TRUE(b.breaker.succeeded());
  EXPECT_EQ(b.breaker.state(), State::closed);
  EXPECT_FALSE(b.breaker.succeeded());
  EXPECT_TRUE(b.breaker.allow());
}

TEST(CircuitBreaker, AProbeWithNothingToTryLetsTheNextCallerProbe) {
  Breaker b;
  for (int i = 0; i < 3; ++i) b.breaker.failed();
  b.now += milliseconds(1000);
  EXPECT_TRUE(b.breaker.allow());
  EXPECT_FALSE(b.breaker.allow());
  b.breaker.no_probe();
  EXPECT_TRUE(b.breaker.allow());
}

}  // namespace
}  // namespace frontdoor::common
