#include "app/shared_counters.h"

#include <algorithm>
#include <chrono>
#include <future>

#include "app/stores.h"
#include "cluster/redis/counters_lua.h"

namespace gaia::app {
namespace {

core::OutagePolicy outage_of(RedisFailure failure) {
  switch (failure) {
    case RedisFailure::kClosed:
      return core::OutagePolicy::kClosed;
    case RedisFailure::kOpen:
      return core::OutagePolicy::kOpen;
    case RedisFailure::kLocal:
      return core::OutagePolicy::kLocal;
  }
  return core::OutagePolicy::kClosed;
}

cluster::redis::ClientOptions client_options(const Config& config) {
  cluster::redis::ClientOptions options;
  options.connection.url = cluster::redis::RedisUrl::parse(config.redis_url).value();
  options.connection.function_library = std::string(cluster::redis::kCountersLua);
  options.io_threads = 1;
  return options;
}

// By RedisFailure.
constexpr const char* kPolicyNames[] = {"closed", "open", "local"};

void register_policy(metrics::MetricsRegistry& registry, RedisFailure in_force) {
  metrics::GaugeFamily& policy = registry.add_gauge(
      "gaia_counters_failure_policy",
      "The outage policy of the shared counters (GAIA_REDIS_FAILURE): 1 for the one in force.",
      {"policy"});
  for (int i = 0; i < 3; ++i) {
    policy.with({kPolicyNames[i]}).set(i == static_cast<int>(in_force) ? 1 : 0);
  }
}

}  // namespace

SharedCounters::SharedCounters(const Config& config, const core::Clock& clock,
                               metrics::MetricsRegistry& registry, const core::Limiter& limiter,
                               store::Store& store, const identity::Directory& directory)
    : config_(config),
      clock_(clock),
      limiter_(limiter),
      store_(store),
      directory_(directory),
      metrics_(registry),
      client_(client_options(config), clock, &metrics_),
      backend_(std::make_unique<cluster::redis::RedisCounterBackend>(
          client_, limiter,
          cluster::redis::RedisCounterOptions{
              .deadline = std::chrono::milliseconds(config.redis_deadline_ms),
              .lease_ttl_ms = config.redis_lease_ttl_ms})) {
  register_policy(registry, config.redis_failure);
}

SharedCounters::~SharedCounters() { client_.stop(); }

std::unique_ptr<SharedCounters> SharedCounters::connect(
    const Config& config, const core::Clock& clock, metrics::MetricsRegistry& registry,
    const core::Limiter& limiter, store::Store& store, const identity::Directory& directory,
    std::ostream& out, std::ostream& err) {
  std::unique_ptr<SharedCounters> shared(
      new SharedCounters(config, clock, registry, limiter, store, directory));
  const std::string where = cluster::redis::RedisUrl::parse(config.redis_url)->redacted();
  core::Status started = shared->client_.start();
  if (started.code() == core::StatusCode::kInvalidArgument) {
    err << "[ERROR] Redis " << where << ": " << started.message() << std::endl;
    return nullptr;
  }
  if (!started.ok()) {
    err << "[WARN] Redis " << where << ": " << started.message()
        << "; checks follow GAIA_REDIS_FAILURE until it answers" << std::endl;
    return shared;
  }
  // Restores before the first check if Redis holds no counters yet.
  std::promise<bool> epoch;
  shared->backend_->check_epoch([&epoch](bool restore) { epoch.set_value(restore); });
  if (epoch.get_future().get() && !shared->restore(err)) return nullptr;
  out << "[INIT] ✓ Counters shared in Redis " << where << std::endl;
  return shared;
}

exec::QuotaCheckOptions SharedCounters::quota_options() const {
  return {.outage = outage_of(config_.redis_failure),
          .live_nodes = [nodes = live_nodes_] { return nodes->load(std::memory_order_relaxed); },
          .warn_at = config_.warn_at};
}

std::optional<size_t> SharedCounters::reset_user(core::UserId user) {
  // Shared with the callback, which may come after a wait that gave up.
  auto cleared = std::make_shared<std::promise<std::optional<size_t>>>();
  std::future<std::optional<size_t>> answer = cleared->get_future();
  backend_->reset_user(user, [cleared](std::optional<size_t> n) { cleared->set_value(n); });
  // Each round trip has its own deadline; this bounds a user with very many counters.
  if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return std::nullopt;
  return answer.get();
}

void SharedCounters::set_live_nodes(size_t nodes) {
  live_nodes_->store(static_cast<uint32_t>(std::max<size_t>(1, nodes)), std::memory_order_relaxed);
}

boost::json::object SharedCounters::health_json() const {
  const bool up = client_.connected();
  boost::json::object out{
      {"backend", "redis"},
      {"state", up ? "ok" : "unreachable"},
      {"url", cluster::redis::RedisUrl::parse(config_.redis_url)->redacted()},
      {"failure_policy", kPolicyNames[static_cast<int>(config_.redis_failure)]},
  };
  if (!up) out["error"] = "no connection to Redis: checks follow the failure policy";
  return out;
}

bool SharedCounters::restore(std::ostream& err) {
  return restore_usage(store_, directory_, *limiter_.rules(), *backend_, clock_.now(), err);
}

void SharedCounters::watch(std::ostream& err) {
  if (restore_due_->exchange(false)) {
    err << "[WARN] Redis came back without the counters: restoring calendar usage" << std::endl;
    restore(err);
  }
  backend_->check_epoch([due = restore_due_](bool restore) {
    if (restore) due->store(true);
  });
}

}  // namespace gaia::app
