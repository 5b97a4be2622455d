#pragma once
// The rate limit service's metrics (GET /metrics): ShouldRateLimit calls by domain and answer
// code, and how long each took. The checks themselves also count in gaia_checks_total, with
// those of the HTTP API. Thread-safe: record() is lock-free after construction.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "metrics/registry.h"
#include "rls/mapping.h"

namespace gaia::rls {

// A call's answer: its overall code, or the gRPC error's name.
enum class RlsCode {
  kOk,
  kOverLimit,
  kInvalidArgument,
  kNotFound,
  kPermissionDenied,
  kUnavailable,
  kInternal,
};

class RlsMetrics {
 public:
  // Registers the families on `registry`, with a series for every domain of `domains` (and
  // "unknown", for calls naming another) and every code.
  RlsMetrics(metrics::MetricsRegistry& registry, std::span<const Domain> domains);

  // One call to `domain` (the index of a domain in those given to the constructor, or
  // kUnknownDomain) answered `code`.
  void record(size_t domain, RlsCode code, double seconds);

  // Every call so far, for /health.
  uint64_t calls() const;

  static constexpr size_t kUnknownDomain = static_cast<size_t>(-1);
  // The label of each RlsCode, in its order.
  static constexpr std::string_view kCodes[] = {
      "OK",          "OVER_LIMIT", "INVALID_ARGUMENT", "NOT_FOUND", "PERMISSION_DENIED",
      "UNAVAILABLE", "INTERNAL"};

 private:
  // Label values are a bounded set, so every series is made up front and a call finds its own
  // by index, without a lock or a lookup by name.
  using ByCode = std::array<metrics::Counter*, std::size(kCodes)>;
  std::vector<ByCode> calls_;  // by domain index; the last is "unknown"
  metrics::Histogram& seconds_;
};

}  // namespace gaia::rls
