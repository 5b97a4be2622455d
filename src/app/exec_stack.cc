#include "app/exec_stack.h"

namespace gaia::app {
namespace {

core::ThrottleConfig throttle_config(const Config& config) {
  core::ThrottleConfig t;
  t.slow_action = config.throttle_hold ? core::SlowAction::kHold : core::SlowAction::kDelay;
  t.stop_action =
      config.throttle_refuse_at_zero ? core::StopAction::kRefuse : core::StopAction::kWait;
  t.max_wait = std::chrono::seconds(config.queue_max_wait_s);
  t.base_delay = std::chrono::milliseconds(config.throttle_delay_ms);
  return t;
}

core::ThrottleConfig check_throttle_config(const Config& config) {
  core::ThrottleConfig t = throttle_config(config);
  t.slow_action = core::SlowAction::kDelay;
  return t;
}

exec::ProcessRunnerOptions runner_options(const Config& config) {
  exec::ProcessRunnerOptions r;
  r.cgroups = config.exec_cgroups == "auto"     ? exec::CgroupMode::kAuto
              : config.exec_cgroups == "limits" ? exec::CgroupMode::kWhenLimited
                                                : exec::CgroupMode::kOff;
  r.exec_user = config.exec_user;
  r.user_accounts = config.exec_user_map;
  return r;
}

core::FairQueueOptions queue_options(const Config& config) {
  core::FairQueueOptions q;
  q.workers = config.exec_workers;
  q.max_wait = std::chrono::seconds(config.queue_max_wait_s);
  return q;
}

}  // namespace

ExecStack::ExecStack(const Config& config, const core::Clock& clock, core::Limiter& limiter,
                     store::Store& store, exec::ConfirmationHook* confirm, exec::QuotaCheck* shared)
    : workers_(config.exec_workers),
      hold_(config.throttle_hold),
      // A third of the term: a renewal lost on the way still leaves the next one in time.
      renew_every_(shared ? std::chrono::milliseconds(config.redis_lease_ttl_ms / 3)
                          : std::chrono::milliseconds(0)),
      sampler_({.root = config.proc_root}, clock),
      throttle_(throttle_config(config)),
      check_throttle_(check_throttle_config(config)),
      scheduler_(queue_options(config), clock),
      runner_(clock, runner_options(config)),
      executor_(std::make_unique<exec::Executor>(limiter, scheduler_, runner_, store, clock,
                                                 confirm, this, shared)) {}

ExecStack::~ExecStack() { stop(); }

void ExecStack::start() {
  sampler_.start();
  if (renew_every_.count() > 0) {
    renewals_ = std::make_unique<Chores>(std::vector<Chores::Chore>{
        {renew_every_, [executor = executor_.get()] { executor->renew_leases(); }}});
  }
}

void ExecStack::stop() {
  executor_->cancel_all();
  scheduler_.stop();
  // The commands have ended and given their slots back: nothing is left to renew.
  renewals_.reset();
  sampler_.stop();
}

core::LoadLevels ExecStack::load() const {
  std::shared_ptr<const monitor::LoadSnapshot> snapshot = sampler_.latest();
  return snapshot->smoothed;
}

void ExecStack::tick() {
  const double factor = throttle_.observe(load());
  publish(factor);
  // Hold mode slows admissions by running fewer commands at once; at 0 nothing new starts
  // in either mode, and queued commands wait up to the maximum wait.
  scheduler_.set_capacity_factor(hold_ || factor == 0 ? factor : 1.0);
}

boost::json::object ExecStack::status_json() const {
  const core::FairQueueStats q = scheduler_.stats();
  std::shared_ptr<const monitor::LoadSnapshot> load = sampler_.latest();
  auto source = [](monitor::LoadSource s) {
    return s == monitor::LoadSource::kCgroup ? "cgroup" : "host";
  };
  const exec::RunAs& run_as = runner_.run_as();
  return {
      {"workers", workers_},
      {"seats", q.seats},
      {"running", q.running[0] + q.running[1] + q.running[2]},
      {"queued", {{"enterprise", q.queued[0]}, {"premium", q.queued[1]}, {"default", q.queued[2]}}},
      {"throttle_factor", throttle_.factor()},
      {"cpu_pct", load->smoothed.cpu_pct},
      {"mem_pct", load->smoothed.mem_pct},
      {"cpu_source", source(load->cpu_source)},
      {"mem_source", source(load->mem_source)},
      {"cgroups",
       runner_.cgroups_available() ? runner_.cgroup_note() : "none: " + runner_.cgroup_note()},
      {"run_as",
       {{"user", run_as.user},
        {"uid", run_as.uid},
        {"root", run_as.root},
        {"switching", run_as.switching},
        {"mapped_users", run_as.mapped_users},
        {"note", run_as.note}}}};
}

core::Admission ExecStack::admit(core::Tier tier) {
  core::Admission a = throttle_.admit(load(), tier);
  publish(a.factor);
  return a;
}

std::optional<exec::ThrottleNotice> ExecStack::throttle(core::Tier tier) const {
  const double factor = factor_.load(std::memory_order_relaxed);
  if (factor >= 1.0) return std::nullopt;
  exec::ThrottleNotice n;
  n.state = throttle_.state();  // the factor with its parts, read together
  n.admission = core::admission_for(check_throttle_, n.state.factor, tier);
  if (n.admission.immediate()) return std::nullopt;  // back to 1 meanwhile, or exempt
  std::shared_ptr<const monitor::LoadSnapshot> snapshot = sampler_.latest();
  n.cpu_pct = snapshot->smoothed.cpu_pct;
  n.mem_pct = snapshot->smoothed.mem_pct;
  if (snapshot->psi.cpu) n.cpu_pressure_pct = snapshot->psi.cpu->some.avg10;
  if (snapshot->psi.memory) n.memory_pressure_pct = snapshot->psi.memory->some.avg10;
  n.recheck = check_throttle_.base_delay.count() > 0 ? check_throttle_.base_delay
                                                     : std::chrono::milliseconds(1000);
  return n;
}

}  // namespace gaia::app
