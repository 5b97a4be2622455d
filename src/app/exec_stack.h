#pragma once
// ExecStack: everything that runs commands for gaia_server, built from the configuration and
// wired in the order of a request's way: the load monitor and throttle policy, the fair-share
// scheduler, the process runner and the executor. One per server. With counters shared in
// Redis it also renews the leases of the concurrency slots its commands hold there, on a
// thread of its own every third of GAIA_REDIS_LEASE_TTL_MS, so that no other chore delays it.
//
// Threads: built and stopped by the thread that runs the server; executor() is safe to use
// from every io thread in between. tick() runs on the chores thread.

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "app/chores.h"
#include "app/config.h"
#include "core/limiter.h"
#include "core/throttle.h"
#include "exec/executor.h"
#include "exec/load_signal.h"
#include "exec/quota_check.h"
#include "exec/runner.h"
#include "exec/scheduler.h"
#include "monitor/sampler.h"
#include "store/store.h"

namespace gaia::app {

class ExecStack : public exec::LoadGate, public exec::LoadSignal {
 public:
  // Every reference must outlive the stack. `shared`: the quota check on counters shared
  // with other nodes, which the executor's limit stage then asks (null: the limiter).
  ExecStack(const Config& config, const core::Clock& clock, core::Limiter& limiter,
            store::Store& store, exec::ConfirmationHook* confirm,
            exec::QuotaCheck* shared = nullptr);
  ~ExecStack() override;

  // Starts sampling the load and, with shared counters, renewing leases.
  void start();
  // Cancels the queued and running commands, waits for them to end, stops sampling and
  // renewing.
  void stop();

  // Feeds the latest load to the throttle; in hold mode the scheduler's usable workers
  // follow the factor.
  void tick();

  exec::Executor& executor() { return *executor_; }
  const monitor::Sampler& sampler() const { return sampler_; }
  const exec::Scheduler& scheduler() const { return scheduler_; }
  const exec::ProcessRunner& runner() const { return runner_; }
  double throttle_factor() const { return throttle_.factor(); }
  // {"workers","seats","running","queued":{class:n},"throttle_factor","cpu_pct","mem_pct",
  //  "cpu_source","mem_source","cgroups","run_as":{"user","uid","root","switching",
  //  "mapped_users","note"}}: for /health and the live stats.
  boost::json::object status_json() const;

  core::Admission admit(core::Tier tier) override;
  // For the admission check: below factor 1 always a delay (a caller cannot be held in the
  // queue), at 0 a wait or a refusal as configured.
  std::optional<exec::ThrottleNotice> throttle(core::Tier tier) const override;

 private:
  core::LoadLevels load() const;
  // Keeps factor_ in step with the policy.
  void publish(double factor) { factor_.store(factor, std::memory_order_relaxed); }

  const unsigned workers_;
  const bool hold_;
  const std::chrono::milliseconds renew_every_;  // zero: no shared counters, nothing to renew
  monitor::Sampler sampler_;
  core::ThrottlePolicy throttle_;
  const core::ThrottleConfig check_throttle_;  // throttle_'s, with delays instead of holds
  // The policy's factor as last fed: what every check reads first, without a lock (relaxed:
  // a check a sample late is as good as one in step).
  std::atomic<double> factor_{1.0};
  exec::Scheduler scheduler_;
  exec::ProcessRunner runner_;
  std::unique_ptr<exec::Executor> executor_;
  std::unique_ptr<Chores> renewals_;  // from start() to stop(), with shared counters
};

}  // namespace gaia::app
