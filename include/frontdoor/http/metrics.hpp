#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace prometheus {
class Counter;
class Histogram;
}  // namespace prometheus

namespace frontdoor::http {

// Prometheus metrics (prometheus-cpp core), rendered by our own /metrics route.
class Metrics {
 public:
  using Labels = std::map<std::string, std::string>;

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void observe_request(const std::string& method, const std::string& route, int status,
                       double seconds);
  // One call to an outside system (BMX, a message provider): outcome is a short
  // word such as "ok", "timeout", "rejected".
  void observe_outbound(const std::string& system, const std::string& operation,
                        const std::string& outcome, double seconds);
  // Adds one to a counter, registered on first use.
  void increment(const std::string& name, const std::string& help, const Labels& labels);
  // A counter's series at 0, so that it exists from the start (rate() and alerts
  // need the series before the first event).
  void declare_counter(const std::string& name, const std::string& help, const Labels& labels);
  // A counter that mirrors a total kept elsewhere (statements answered since
  // start): raised to `total`, never lowered.
  void set_counter(const std::string& name, const std::string& help, const Labels& labels,
                   double total);
  void set_gauge(const std::string& name, const std::string& help, const Labels& labels,
                 double value);
  // One observation (seconds) into a latency histogram, registered on first use.
  void observe(const std::string& name, const std::string& help, const Labels& labels,
               double seconds);
  // The histogram's series with no observation yet.
  void declare_histogram(const std::string& name, const std::string& help, const Labels& labels);
  // Runs before every render, e.g. to copy pool sizes into gauges.
  void on_scrape(std::function<void(Metrics&)> hook);
  std::string render();

 private:
  prometheus::Counter& counter(const std::string& name, const std::string& help,
                               const Labels& labels);
  prometheus::Histogram& histogram(const std::string& name, const std::string& help,
                                   const Labels& labels);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontdoor::http
