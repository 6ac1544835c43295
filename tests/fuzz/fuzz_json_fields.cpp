// A request body as the create routes read it: parse_json_body (media type,
// UTF-8, nesting), then every kind of field reader, timestamps and contact
// formats. Errors must be ApiErrors with a 4xx status; nothing else may escape.
#include <cstdint>
#include <cstdlib>

#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "frontdoor/common/log.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  frontdoor::common::log::init("error");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = frontdoor::http;
  http::Request request;
  request.method = "POST";
  request.headers = {{"content-type", "application/json"}};
  request.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    const auto body = http::parse_json_body(request);
    http::JsonFields fields(body);
    auto name = fields.string("name", true, 1, 100);
    fields.integer("building_id", false, 1, 999999999999);
    fields.boolean("listed", false);
    fields.one_of("access", false, {"property_only", "property_wide"});
    fields.email("email", false);
    fields.phone("phone", false);
    if (auto starts = fields.string("starts_at", false, 1, 64)) {
      frontdoor::common::parse_rfc3339(*starts);
    }
    if (name) frontdoor::common::is_search_text(*name);
    fields.finish();
  } catch (const frontdoor::common::ApiError& error) {
    if (error.status() < 400 || error.status() > 499) std::abort();
  }
  return 0;
}
