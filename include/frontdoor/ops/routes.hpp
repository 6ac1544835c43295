#pragma once

#include <string_view>

#include "frontdoor/http/metrics.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::ops {

// The checked-in OpenAPI document (openapi/openapi.json), compiled in.
std::string_view openapi_document();

// GET /healthz, /readyz, /metrics, /openapi.json.
void add_routes(http::Router& router, db::Pool& pool, http::Metrics& metrics);

}  // namespace frontdoor::ops
