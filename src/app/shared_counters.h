#pragma once
// SharedCounters: Redis as the counters of every node (GAIA_REDIS_URL): the client, its
// figures in the metrics registry, and the counter backend the quota check asks, with the
// outage policy of GAIA_REDIS_FAILURE. Calendar usage comes back from the store when Redis
// holds none (first start on an empty Redis, or Redis came back empty): at start, and from
// then on when watch() finds a new epoch.
//
// Metrics: the client's gaia_redis_* (round trips, errors, connections: 0 while checks follow
// the outage policy), and gaia_counters_failure_policy{policy}, 1 for the policy in force.
//
// Ownership: borrows the clock, registry, limiter, store and directory, which must outlive it.
// Threads: connect() and watch() from one thread (start-up, then the chores' thread);
// counters() and set_live_nodes() from any.

#include <atomic>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <ostream>

#include "app/config.h"
#include "cluster/redis/client.h"
#include "cluster/redis/counter_backend.h"
#include "cluster/redis/redis_metrics.h"
#include "core/clock.h"
#include "core/limiter.h"
#include "exec/quota_check.h"
#include "identity/directory.h"
#include "metrics/registry.h"
#include "store/store.h"

namespace gaia::app {

class SharedCounters {
 public:
  // Connects to config.redis_url; nullptr, saying why on `err`, when Redis refuses to be the
  // counters (an eviction policy that would drop them). A Redis that is away is no reason:
  // the node starts degraded, under its outage policy, and keeps trying.
  static std::unique_ptr<SharedCounters> connect(const Config& config, const core::Clock& clock,
                                                 metrics::MetricsRegistry& registry,
                                                 const core::Limiter& limiter, store::Store& store,
                                                 const identity::Directory& directory,
                                                 std::ostream& out, std::ostream& err);
  ~SharedCounters();

  core::CounterBackend& counters() { return *backend_; }
  exec::QuotaCheckOptions quota_options() const;
  // Whether a connection to Redis is ready to carry checks.
  bool reachable() const { return client_.connected(); }
  // The "counters" section of /health: where they are, whether Redis is reachable, the
  // failure policy in force.
  boost::json::object health_json() const;
  // Forgets the usage of `user` and its keys in Redis (RedisCounterBackend::reset_user),
  // waiting for Redis up to a second or so; the counters cleared, or nullopt when Redis did
  // not answer.
  std::optional<size_t> reset_user(core::UserId user);
  // The nodes sharing the limits now (membership's heartbeat): the local outage policy
  // counts 1/n of each limit. One until told otherwise.
  void set_live_nodes(size_t nodes);
  // Asks Redis for its epoch; restores calendar usage from the store when the last answer
  // said Redis had lost it. Call every second.
  void watch(std::ostream& err);

 private:
  SharedCounters(const Config& config, const core::Clock& clock, metrics::MetricsRegistry& registry,
                 const core::Limiter& limiter, store::Store& store,
                 const identity::Directory& directory);
  bool restore(std::ostream& err);

  const Config& config_;
  const core::Clock& clock_;
  const core::Limiter& limiter_;
  store::Store& store_;
  const identity::Directory& directory_;
  cluster::redis::RedisMetrics metrics_;
  cluster::redis::RedisClient client_;
  std::unique_ptr<cluster::redis::RedisCounterBackend> backend_;
  std::shared_ptr<std::atomic<bool>> restore_due_ = std::make_shared<std::atomic<bool>>(false);
  // Shared with the quota check's options, whose local outage policy reads it per check.
  std::shared_ptr<std::atomic<uint32_t>> live_nodes_ = std::make_shared<std::atomic<uint32_t>>(1);
};

}  // namespace gaia::app
