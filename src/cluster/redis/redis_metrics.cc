#include "cluster/redis/redis_metrics.h"

namespace gaia::cluster::redis {
namespace {

// From a loopback round trip (tens of µs) to a deadline far past the 5 ms default.
const std::vector<double> kRoundTripBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                              0.005,   0.01,   0.025,   0.05,   0.1,   1};
constexpr const char* kErrorNames[RedisMetrics::kErrorKinds] = {
    "timeout", "disconnected", "error_reply", "late_reply", "protocol", "connect"};

}  // namespace

RedisMetrics::RedisMetrics(metrics::MetricsRegistry& registry)
    : round_trip_(registry
                      .add_histogram("gaia_redis_round_trip_seconds",
                                     "Redis calls, from sending to the reply.", kRoundTripBounds)
                      .with({})),
      connections_(
          registry.add_gauge("gaia_redis_connections", "Connections to Redis ready to carry calls.")
              .with({})) {
  metrics::CounterFamily& errors = registry.add_counter(
      "gaia_redis_errors_total", "Redis calls and connections that went wrong, by kind.", {"kind"});
  for (int i = 0; i < kErrorKinds; ++i) errors_[i] = &errors.with({kErrorNames[i]});
}

}  // namespace gaia::cluster::redis
