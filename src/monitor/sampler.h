#pragma once
// Sampler: reads the load every interval on its own thread and publishes a LoadSnapshot with
// raw and smoothed (EWMA) CPU and memory percentages, cgroup limits and PSI.
// See docs/monitor.md.
//
// Threads: latest() from any thread. sample_once() is the sampling step itself, for tests
// and for a caller that drives sampling without the thread; calls to it are serialized.
// start()/stop() from one owning thread. The clock must outlive the sampler.
//
// Example:
//   Sampler sampler({.root = "/"}, clock);
//   sampler.start();
//   auto snap = sampler.latest();  // snap->smoothed.cpu_pct ...

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "monitor/load_snapshot.h"
#include "monitor/proc_stat.h"

namespace gaia::monitor {

struct SamplerOptions {
  std::filesystem::path root = "/";  // where proc/ and the cgroup mounts are found
  std::chrono::milliseconds interval{1000};
  // EWMA time constant: a step change in load shows ~63 % in the smoothed value after this
  // long, whatever the interval. 0: no smoothing.
  std::chrono::milliseconds smoothing{5000};
};

class Sampler {
 public:
  Sampler(SamplerOptions options, const core::Clock& clock);
  ~Sampler();  // stops the thread
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // Starts the sampling thread, which samples at once and then every interval. No-op when
  // running.
  void start();
  // Stops and joins the thread promptly (it waits on a condition variable, not a sleep).
  // No-op when not running.
  void stop();

  // Takes one sample at `now` and publishes the new snapshot. On failure (/proc/stat or
  // /proc/meminfo unreadable or malformed) publishes the previous values with failed_samples
  // and last_error updated, and returns why. cgroup and PSI files are optional.
  core::Status sample_once(core::Instant now);

  // The latest snapshot; never null (sequence 0 before the first sample).
  std::shared_ptr<const LoadSnapshot> latest() const;

 private:
  void run();
  void publish(std::shared_ptr<const LoadSnapshot> snapshot);

  const SamplerOptions options_;
  const core::Clock& clock_;

  // The sampling step's state: touched only under sample_mu_.
  core::Mutex sample_mu_;
  LoadSnapshot current_ GUARDED_BY(sample_mu_);
  std::optional<CpuTimes> prev_cpu_ GUARDED_BY(sample_mu_);
  std::optional<uint64_t> prev_usage_us_ GUARDED_BY(sample_mu_);
  std::filesystem::path prev_usage_dir_ GUARDED_BY(sample_mu_);
  core::MonoTime prev_at_ GUARDED_BY(sample_mu_){};

  mutable core::Mutex latest_mu_;
  std::shared_ptr<const LoadSnapshot> latest_ GUARDED_BY(latest_mu_);

  core::Mutex stop_mu_;
  core::CondVar stop_cv_;
  bool stopping_ GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

}  // namespace gaia::monitor
