#include "frontdoor/common/threads.hpp"

namespace frontdoor::common {
namespace {
thread_local bool io_thread = false;
}  // namespace

void mark_io_thread() { io_thread = true; }
bool on_io_thread() { return io_thread; }

}  // namespace frontdoor::common
