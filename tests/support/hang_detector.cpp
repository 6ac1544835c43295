// Turns a hung test into a diagnosis: if one test runs longer than the limit,
// print its name and every thread's stack (gdb), then abort. Without this a
// hang only shows as ctest's timeout, with no hint of where it stood.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace frontdoor::testing {
namespace {

// FRONTDOOR_TEST_HANG_SECONDS overrides the limit (to check the detector itself).
std::chrono::seconds hang_limit() {
  const char* text = std::getenv("FRONTDOOR_TEST_HANG_SECONDS");
  const int seconds = text != nullptr ? std::atoi(text) : 0;
  return std::chrono::seconds(seconds > 0 ? seconds : 120);
}

// Lives until the process ends (never destroyed): its thread waits on it, and
// gtest deletes listeners at exit while that thread may still be waiting.
class Watch {
 public:
  Watch() {
    std::thread([this] { watch(); }).detach();
  }

  void start(const ::testing::TestInfo& test) {
    std::lock_guard lock(mutex_);
    name_ = std::string(test.test_suite_name()) + "." + test.name();
    deadline_ = std::chrono::steady_clock::now() + limit_;
    running_ = true;
    changed_.notify_all();
  }

  void end() {
    std::lock_guard lock(mutex_);
    running_ = false;
    changed_.notify_all();
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return running_; });
      if (changed_.wait_until(lock, deadline_, [this] { return !running_; })) continue;
      std::fprintf(stderr, "\nTEST HUNG for %lld s: %s; thread stacks follow\n",
                   static_cast<long long>(limit_.count()), name_.c_str());
      std::fflush(stderr);
      const std::string command = "gdb -batch -p " + std::to_string(getpid()) +
                                  " -ex 'thread apply all bt 30' 1>&2 2>/dev/null";
      std::system(command.c_str());
      std::abort();
    }
  }

  const std::chrono::seconds limit_ = hang_limit();
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string name_;
  std::chrono::steady_clock::time_point deadline_;
  bool running_ = false;
};

class HangDetector : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& test) override { watch_.start(test); }
  void OnTestEnd(const ::testing::TestInfo&) override { watch_.end(); }

 private:
  Watch& watch_ = *new Watch;  // deliberately leaked, see Watch
};

}  // namespace

// Referenced from PostgresCluster so that every binary using the harness links it.
bool install_hang_detector() {
  static const bool installed = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new HangDetector);
    return true;
  }();
  return installed;
}

namespace {
[[maybe_unused]] const bool kInstalled = install_hang_detector();
}  // namespace

}  // namespace frontdoor::testing
