#pragma once

// The process_* series every Prometheus client library publishes (CPU time,
// memory, descriptors, start time), read from /proc at each scrape, and
// frontdoor_build_info{version,commit}.
namespace frontdoor::http {
class Metrics;
}

namespace frontdoor::ops {

void publish_process_metrics(http::Metrics& metrics);

}  // namespace frontdoor::ops
