#include "monitor/sampler.h"

#include <algorithm>
#include <cmath>

#include "monitor/cgroup_limits.h"
#include "monitor/meminfo.h"

namespace gaia::monitor {

namespace {

// Weight of a new value after `dt` with time constant `tau`: 1 - e^(-dt/tau). Unlike a fixed
// alpha this gives the same smoothing whatever the interval, and a late sample more weight.
double ewma_weight(std::chrono::nanoseconds dt, std::chrono::milliseconds tau) {
  if (tau.count() <= 0) return 1.0;
  double x = std::chrono::duration<double>(dt) / std::chrono::duration<double>(tau);
  return x <= 0 ? 0.0 : 1.0 - std::exp(-x);
}

}  // namespace

Sampler::Sampler(SamplerOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock), latest_(std::make_shared<LoadSnapshot>()) {}

Sampler::~Sampler() { stop(); }

void Sampler::start() {
  if (thread_.joinable()) return;
  {
    core::MutexLock lock(stop_mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void Sampler::stop() {
  if (!thread_.joinable()) return;
  {
    core::MutexLock lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void Sampler::run() {
  while (true) {
    // A failure is recorded in the snapshot (failed_samples, last_error); keep sampling.
    (void)sample_once(clock_.now());
    core::MutexLock lock(stop_mu_);
    if (stop_cv_.wait_for(stop_mu_, options_.interval,
                          [this]() REQUIRES(stop_mu_) { return stopping_; }))
      return;
  }
}

std::shared_ptr<const LoadSnapshot> Sampler::latest() const {
  core::MutexLock lock(latest_mu_);
  return latest_;
}

void Sampler::publish(std::shared_ptr<const LoadSnapshot> snapshot) {
  core::MutexLock lock(latest_mu_);
  latest_ = std::move(snapshot);
}

core::Status Sampler::sample_once(core::Instant now) {
  core::MutexLock lock(sample_mu_);
  const auto& root = options_.root;

  auto cpu = read_proc_stat(root);
  auto mem = cpu.ok() ? read_meminfo(root) : core::Result<MemInfo>(cpu.status());
  if (!cpu.ok() || !mem.ok()) {
    core::Status why = cpu.ok() ? mem.status() : cpu.status();
    ++current_.failed_samples;
    current_.last_error = why.message();
    publish(std::make_shared<LoadSnapshot>(current_));
    return why;
  }

  LoadSnapshot next = current_;
  next.sequence = current_.sequence + 1;
  next.sampled_at = now;
  next.host_cpus = cpu->cpu_count;
  next.host_mem_total_bytes = mem->total_bytes;
  next.host_mem_available_bytes = mem->available_bytes;
  next.host_mem_pct = mem->used_pct();
  next.psi = read_psi(root);

  // cgroups are detected on every sample: the process may be moved into another cgroup.
  auto paths = detect_cgroups(root);
  CgroupPaths cg = paths.ok() ? paths.value() : CgroupPaths{};
  CgroupMemory cg_mem =
      cg.memory ? read_cgroup_memory(*cg.memory, mem->total_bytes) : CgroupMemory{};
  CgroupCpu cg_cpu = read_cgroup_cpu(cg);
  next.cgroup = CgroupLimits{cg.version, cg_mem.limit_bytes, cg_mem.usage_bytes, cg_cpu.limit_cpus};

  // Memory: of the cgroup limit when it is below the machine's memory (read_cgroup_memory
  // already drops limits at or above MemTotal).
  if (cg_mem.limit_bytes && cg_mem.used_pct) {
    next.raw.mem_pct = *cg_mem.used_pct;
    next.mem_source = LoadSource::kCgroup;
  } else {
    next.raw.mem_pct = next.host_mem_pct;
    next.mem_source = LoadSource::kHost;
  }

  // CPU: deltas against the previous sample.
  const auto dt = prev_cpu_ ? now.mono - prev_at_ : std::chrono::nanoseconds(0);
  std::optional<double> host_pct = prev_cpu_ ? busy_pct(*prev_cpu_, cpu.value()) : std::nullopt;
  if (host_pct) next.host_cpu_pct = *host_pct;
  // Limited when the cgroup grants fewer CPUs than the machine has (a count of 0 means
  // /proc/stat listed no cpuN lines: trust the limit).
  bool cpu_limited =
      cg_cpu.limit_cpus && (next.host_cpus == 0 || *cg_cpu.limit_cpus < next.host_cpus);
  std::optional<double> cpu_pct;
  LoadSource cpu_source = LoadSource::kHost;
  if (cpu_limited && cg_cpu.usage_us) {
    if (prev_usage_us_ && prev_usage_dir_ == cg_cpu.usage_dir && dt.count() > 0 &&
        *cg_cpu.usage_us >= *prev_usage_us_) {
      double dt_us = std::chrono::duration<double, std::micro>(dt).count();
      double used = static_cast<double>(*cg_cpu.usage_us - *prev_usage_us_);
      cpu_pct = std::clamp(100.0 * used / (dt_us * *cg_cpu.limit_cpus), 0.0, 100.0);
      cpu_source = LoadSource::kCgroup;
    }
  } else {
    cpu_pct = host_pct;
  }
  if (cpu_pct) {
    next.raw.cpu_pct = *cpu_pct;
    next.cpu_source = cpu_source;
  }

  // Smoothing: the first known value seeds the average.
  if (current_.sequence == 0) {
    next.smoothed.mem_pct = next.raw.mem_pct;
  } else {
    double w = ewma_weight(now.mono - current_.sampled_at.mono, options_.smoothing);
    next.smoothed.mem_pct += w * (next.raw.mem_pct - next.smoothed.mem_pct);
  }
  if (cpu_pct) {
    if (!current_.cpu_known) {
      next.smoothed.cpu_pct = *cpu_pct;
    } else {
      double w = ewma_weight(dt, options_.smoothing);
      next.smoothed.cpu_pct += w * (*cpu_pct - next.smoothed.cpu_pct);
    }
    next.cpu_known = true;
  }

  prev_cpu_ = cpu.value();
  prev_usage_us_ = cg_cpu.usage_us;
  prev_usage_dir_ = cg_cpu.usage_dir;
  prev_at_ = now.mono;
  current_ = next;
  publish(std::make_shared<LoadSnapshot>(std::move(next)));
  return core::Status();
}

}  // namespace gaia::monitor
