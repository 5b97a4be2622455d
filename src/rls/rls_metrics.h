#pragma once
// The rate limit service's metrics (GET /metrics): ShouldRateLimit calls by domain and answer
// code, and how long each took. The checks themselves also count in gaia_checks_total, with
// those of the HTTP API. Thread-safe: record() is lock-free after construction.

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "metrics/registry.h"
#include "rls/mapping.h"

namespace gaia::rls {

class RlsMetrics {
 public:
  // Registers the families on `registry`, with a series for every domain of `domains` (and
  // "unknown", for calls naming another) and every code.
  RlsMetrics(metrics::MetricsRegistry& registry, std::span<const Domain> domains);

  // One call to `domain` answered `code` ("OK", "OVER_LIMIT", or the gRPC error's name:
  // "INVALID_ARGUMENT", "NOT_FOUND", "PERMISSION_DENIED", "UNAVAILABLE", "INTERNAL").
  void record(std::string_view domain, std::string_view code, double seconds);

  // Every call so far, for /health.
  uint64_t calls() const;

  static constexpr std::string_view kCodes[] = {
      "OK",          "OVER_LIMIT", "INVALID_ARGUMENT", "NOT_FOUND", "PERMISSION_DENIED",
      "UNAVAILABLE", "INTERNAL"};

 private:
  // Label values are a bounded set, so every series is made up front and read without a lock.
  using ByCode = std::map<std::string, metrics::Counter*, std::less<>>;
  std::map<std::string, ByCode, std::less<>> calls_;  // by domain, then code
  metrics::Histogram& seconds_;
};

}  // namespace gaia::rls
