#include "rls/rls_metrics.h"

#include <algorithm>
#include <string>

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
  std::vector<std::string> names;
  for (const Domain& d : domains) names.push_back(d.name);
  names.push_back("unknown");
  for (const std::string& name : names) {
    ByCode& by_code = calls_.emplace_back();
    for (size_t c = 0; c < by_code.size(); ++c) {
      by_code[c] = &family.with({name, std::string(kCodes[c])});
    }
  }
}

void RlsMetrics::record(size_t domain, RlsCode code, double seconds) {
  seconds_.observe(seconds);
  const ByCode& by_code = calls_[std::min(domain, calls_.size() - 1)];
  by_code[static_cast<size_t>(code)]->inc();
}

uint64_t RlsMetrics::calls() const {
  uint64_t n = 0;
  for (const ByCode& by_code : calls_) {
    for (const metrics::Counter* counter : by_code) n += counter->value();
  }
  return n;
}

}  // namespace gaia::rls
