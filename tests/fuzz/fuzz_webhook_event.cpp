// A BMX webhook body: whatever arrives is JSON at best. parse_webhook_event must
// accept the documented shape, ignore other events, and refuse the rest with a 400.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "frontdoor/bmx/webhook_event.hpp"
#include "frontdoor/common/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = nlohmann::json::parse(data, data + size, nullptr, false);
  if (body.is_discarded()) return 0;
  try {
    auto event = frontdoor::bmx::parse_webhook_event(body);
    if (event && (event->resource_id <= 0 ||
                  (event->resource_type != "call" && event->resource_type != "access_log"))) {
      std::abort();
    }
  } catch (const frontdoor::common::ApiError& error) {
    if (error.status() != 400) std::abort();
  }
  return 0;
}
