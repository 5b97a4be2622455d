#include "rls/rls_metrics.h"

namespace gaia::rls {

RlsMetrics::RlsMetrics(metrics::MetricsRegistry& registry, std::span<const Domain> domains)
    : seconds_(
          registry
              .add_histogram("gaia_rls_request_duration_seconds",
                             "Time ShouldRateLimit calls took, from receipt to answer.",
                             {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2})
              .with({})) {
  metrics::CounterFamily& family =
      registry.add_counter("gaia_rls_requests_total",
                           "ShouldRateLimit calls of Envoy's rate limit service by domain and "
                           "answer code.",
                           {"domain", "code"});
  std::vector<std::string> names{"unknown"};
  for (const Domain& d : domains) names.push_back(d.name);
  for (const std::string& name : names) {
    for (std::string_view code : kCodes) {
      calls_[name][std::string(code)] = &family.with({name, std::string(code)});
    }
  }
}

void RlsMetrics::record(std::string_view domain, std::string_view code, double seconds) {
  seconds_.observe(seconds);
  // A domain the service does not serve counts as "unknown"; the codes are ours.
  auto by_domain = calls_.find(domain);
  if (by_domain == calls_.end()) by_domain = calls_.find(std::string_view("unknown"));
  auto counter = by_domain->second.find(code);
  if (counter != by_domain->second.end()) counter->second->inc();
}

uint64_t RlsMetrics::calls() const {
  uint64_t n = 0;
  for (const auto& [domain, by_code] : calls_) {
    for (const auto& [code, counter] : by_code) n += counter->value();
  }
  return n;
}

}  // namespace gaia::rls
