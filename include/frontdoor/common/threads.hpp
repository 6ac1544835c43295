#pragma once

namespace frontdoor::common {

// An I/O thread runs an event loop that every connection on it shares: nothing
// there may block (no libpqxx, no libcurl easy call, no sleep). The server marks
// its I/O threads; code that blocks refuses to run on one (see db::Pool::run).
void mark_io_thread();
bool on_io_thread();

}  // namespace frontdoor::common
