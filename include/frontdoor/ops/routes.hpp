#pragma once

#include <functional>
#include <string_view>

#include "frontdoor/http/metrics.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::ops {

// The checked-in OpenAPI document (openapi/openapi.json), compiled in.
std::string_view openapi_document();

// GET /healthz, /readyz, /metrics, /openapi.json. /readyz speaks for both
// database paths (the workers' pool and the I/O threads' connections), and says
// 503 while the instance drains (`draining` true), so that a load balancer
// stops sending before the listener closes.
void add_routes(http::Router& router, db::Pool& pool, const db::AsyncDatabase& reads,
                http::Metrics& metrics, std::function<bool()> draining);

}  // namespace frontdoor::ops
