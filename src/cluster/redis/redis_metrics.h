#pragma once
// RedisMetrics: the figures of the connections to Redis, kept in the app's metrics registry,
// so GET /metrics renders them with everything else:
//   gaia_redis_round_trip_seconds      histogram, a call sent to its reply
//   gaia_redis_errors_total{kind}      timeout, disconnected, error_reply, late_reply,
//                                      protocol, connect
//   gaia_redis_connections             connections ready to carry calls
//
// Threads: every method from any thread (lock-free updates, see metrics/registry.h).
// Lifetime: the registry outlives this object, which outlives the client that reports to it.

#include <chrono>
#include <cstdint>

#include "metrics/registry.h"

namespace gaia::cluster::redis {

class RedisMetrics {
 public:
  enum class Error {
    kTimeout,       // a call's deadline passed without a reply
    kDisconnected,  // a call no connection could carry, or cut off with its connection
    kErrorReply,    // Redis answered an error (the call still has its reply)
    kLateReply,     // a reply came after its call's deadline and was dropped
    kProtocol,      // bytes from Redis that are not RESP, or a reply nobody asked for
    kConnect,       // a connection attempt or its AUTH/SELECT/FUNCTION LOAD failed
  };
  static constexpr int kErrorKinds = 6;

  // Registers the families. Throws std::invalid_argument if they are registered already.
  explicit RedisMetrics(metrics::MetricsRegistry& registry);

  void round_trip(std::chrono::nanoseconds elapsed) { round_trip_.observe(elapsed.count() / 1e9); }
  void error(Error kind) { errors_[static_cast<int>(kind)]->inc(); }
  uint64_t errors(Error kind) const { return errors_[static_cast<int>(kind)]->value(); }
  void connection_up() { connections_.inc(); }
  void connection_down() { connections_.dec(); }

 private:
  metrics::Histogram& round_trip_;
  metrics::Counter* errors_[kErrorKinds];
  metrics::Gauge& connections_;
};

}  // namespace gaia::cluster::redis
