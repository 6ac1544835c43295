#include "frontdoor/http/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>
#include <unordered_map>
#include <vector>

namespace frontdoor::http {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("frontdoor_http_requests_total")
          .Help("HTTP requests by method, route template and status.")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("frontdoor_http_request_duration_seconds")
          .Help("HTTP request latency by method and route template.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& outbound =
      prometheus::BuildCounter()
          .Name("frontdoor_outbound_requests_total")
          .Help("Calls to outside systems by system, operation and outcome.")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& outbound_latency =
      prometheus::BuildHistogram()
          .Name("frontdoor_outbound_request_duration_seconds")
          .Help("Latency of calls to outside systems, retries included.")
          .Register(*registry);
  std::mutex mutex;
  // The counter and histogram of each method, route and status seen, found by
  // one short key: prometheus-cpp's Add builds and hashes a label map each call.
  struct RequestSeries {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  std::mutex request_series_mutex;
  std::unordered_map<std::string, RequestSeries> request_series;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms;
  std::vector<std::function<void(Metrics&)>> scrape_hooks;
};

namespace {
const prometheus::Histogram::BucketBoundaries kLatencyBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observe_request(const std::string& method, const std::string& route, int status,
                              double seconds) {
  const std::string status_text = std::to_string(status);
  const std::string key = method + ' ' + route + ' ' + status_text;
  Impl::RequestSeries series{};
  {
    std::lock_guard lock(impl_->request_series_mutex);
    auto found = impl_->request_series.find(key);
    if (found == impl_->request_series.end()) {
      // Labels are bounded: known methods, route templates, status codes.
      series = {
          &impl_->requests.Add({{"method", method}, {"route", route}, {"status", status_text}}),
          &impl_->latency.Add({{"method", method}, {"route", route}}, kLatencyBuckets)};
      impl_->request_series.emplace(key, series);
    } else {
      series = found->second;
    }
  }
  series.count->Increment();
  series.latency->Observe(seconds);
}

void Metrics::observe_outbound(const std::string& system, const std::string& operation,
                               const std::string& outcome, double seconds) {
  impl_->outbound.Add({{"system", system}, {"operation", operation}, {"outcome", outcome}})
      .Increment();
  impl_->outbound_latency.Add({{"system", system}, {"operation", operation}}, kLatencyBuckets)
      .Observe(seconds);
}

prometheus::Counter& Metrics::counter(const std::string& name, const std::string& help,
                                      const Labels& labels) {
  prometheus::Family<prometheus::Counter>* family = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto& slot = impl_->counters[name];
    if (slot == nullptr) {
      slot = &prometheus::BuildCounter().Name(name).Help(help).Register(*impl_->registry);
    }
    family = slot;
  }
  return family->Add(labels);
}

void Metrics::increment(const std::string& name, const std::string& help, const Labels& labels) {
  counter(name, help, labels).Increment();
}

void Metrics::declare_counter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  counter(name, help, labels);
}

void Metrics::set_counter(const std::string& name, const std::string& help, const Labels& labels,
                          double total) {
  auto& series = counter(name, help, labels);
  const double behind = total - series.Value();
  if (behind > 0) series.Increment(behind);
}

void Metrics::set_gauge(const std::string& name, const std::string& help, const Labels& labels,
                        double value) {
  prometheus::Family<prometheus::Gauge>* family = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto& slot = impl_->gauges[name];
    if (slot == nullptr) {
      slot = &prometheus::BuildGauge().Name(name).Help(help).Register(*impl_->registry);
    }
    family = slot;
  }
  family->Add(labels).Set(value);
}

prometheus::Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                                          const Labels& labels) {
  prometheus::Family<prometheus::Histogram>* family = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto& slot = impl_->histograms[name];
    if (slot == nullptr) {
      slot = &prometheus::BuildHistogram().Name(name).Help(help).Register(*impl_->registry);
    }
    family = slot;
  }
  return family->Add(labels, kLatencyBuckets);
}

void Metrics::observe(const std::string& name, const std::string& help, const Labels& labels,
                      double seconds) {
  histogram(name, help, labels).Observe(seconds);
}

void Metrics::declare_histogram(const std::string& name, const std::string& help,
                                const Labels& labels) {
  histogram(name, help, labels);
}

void Metrics::on_scrape(std::function<void(Metrics&)> hook) {
  std::lock_guard lock(impl_->mutex);
  impl_->scrape_hooks.push_back(std::move(hook));
}

std::string Metrics::render() {
  std::vector<std::function<void(Metrics&)>> hooks;
  {
    std::lock_guard lock(impl_->mutex);
    hooks = impl_->scrape_hooks;
  }
  for (auto& hook : hooks) hook(*this);
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace frontdoor::http
