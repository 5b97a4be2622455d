#include "exec/executor.h"

#include <algorithm>

#include "core/limit_name.h"

namespace gaia::exec {
namespace {

int64_t to_ms(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

std::string display_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& word : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string launch_command(const ExecRequest& request) {
  std::string out;
  // Only the value is quoted: a quoted name would make the word a command, not an assignment.
  for (const auto& [name, value] : request.env_changes) {
    out += name + "=" + display_command({value}) + " ";
  }
  std::vector<std::string> words = request.spec.argv;
  if (!request.spec.program.empty()) words.at(0) = request.spec.program;
  return out + display_command(words);
}

class Executor::ClaimedIds {
 public:
  // False when the pair is claimed already.
  bool claim(uint64_t user, const std::string& id) {
    core::MutexLock lock(mu_);
    return ids_.emplace(user, id).second;
  }
  void release(uint64_t user, const std::string& id) {
    core::MutexLock lock(mu_);
    ids_.erase({user, id});
    if (ids_.empty()) none_.notify_all();
  }
  // True once nothing is claimed, false if something still is after `within`.
  bool wait_empty(std::chrono::milliseconds within) {
    core::MutexLock lock(mu_);
    return none_.wait_for(mu_, within, [this]() REQUIRES(mu_) { return ids_.empty(); });
  }

 private:
  core::Mutex mu_;
  core::CondVar none_;
  std::set<std::pair<uint64_t, std::string>> ids_ GUARDED_BY(mu_);
};

struct Executor::Command : OutputSink {
  ExecRequest request;
  std::string type_name;
  std::shared_ptr<ExecObserver> observer;
  CancelToken cancel;
  // Under mu_. The handle, set once the command is known to cancel() (0 before); the
  // scheduler's ticket once queued (none while the hook decides); and whether it was
  // refused or cancelled before it was queued.
  Handle handle = 0;
  std::optional<core::TicketId> ticket;
  bool dropped = false;
  // Its concurrency slots in the shared counters, from admission (or from when it went to
  // wait for a person's approval) until it ends.
  LeaseKeeper::Held lease;
  core::MonoTime queued_at{};  // set before it is queued; read by the worker that runs it

  void on_output(OutputStream stream, std::string_view bytes) override {
    observer->on_output(stream, bytes);
  }
};

Executor::Executor(core::Limiter& limiter, Scheduler& scheduler, Runner& runner,
                   store::Store& store, const core::Clock& clock, ConfirmationHook* confirm,
                   LoadGate* load, QuotaCheck* shared)
    : limiter_(limiter),
      scheduler_(scheduler),
      runner_(runner),
      store_(store),
      clock_(clock),
      confirm_(confirm),
      load_(load),
      shared_(shared),
      leases_(shared ? std::make_unique<LeaseKeeper>(shared->counters(), clock) : nullptr),
      claimed_(std::make_shared<ClaimedIds>()) {}

Executor::~Executor() = default;

void Executor::renew_leases() {
  if (leases_) leases_->renew_all();
}

core::Status Executor::prepare(ExecRequest& request) const {
  if (!request.spec.program.empty()) return core::Status();
  auto launch = runner_.prepare(request.spec);
  if (!launch.ok()) return launch.status();
  request.spec.program = std::move(launch->program);
  request.env_changes = std::move(launch->env_changes);
  return core::Status();
}

std::optional<Refusal> Executor::refusal_of(const ExecRequest& request, const Confirmation& c) {
  Refusal r{403,
            "denied",
            "denied by policy: " + c.reason,
            std::nullopt,
            std::nullopt,
            launch_command(request),
            request.spec.program};
  switch (c.verdict) {
    case Confirmation::Verdict::kApprove:
      return std::nullopt;
    case Confirmation::Verdict::kDeny:
      return r;
    case Confirmation::Verdict::kAsk:
      r.status = 428;
      r.code = "approval_required";
      r.message = "needs a person's approval: " + c.reason;
      return r;
  }
  return std::nullopt;
}

std::optional<Refusal> Executor::id_stage(const ExecRequest& request) {
  const Refusal used{409, "duplicate_id",
                     "execution id " + request.id + " is already used by this user; choose another",
                     std::nullopt, std::nullopt};
  // Claimed first, looked up second: a twin submitted meanwhile finds the claim, and a claim
  // is released only once its row is durable, where the lookup finds it.
  if (!claimed_->claim(request.user_id, request.id)) return used;
  if (request.id_origin == IdOrigin::kGenerated) return std::nullopt;
  auto found = store_.find_execution(request.user_id, request.id);
  if (found.ok() && !found.value()) return std::nullopt;
  claimed_->release(request.user_id, request.id);
  if (found.ok()) return used;
  return Refusal{503, "store_unavailable",
                 "cannot tell whether execution id " + request.id +
                     " is already used: " + found.status().message(),
                 std::chrono::seconds(5), std::nullopt};
}

std::optional<Refusal> Executor::limit_stage(const ExecRequest& request,
                                             const std::shared_ptr<const core::RuleSet>& rules,
                                             core::Instant now, LeaseKeeper::Held* held,
                                             std::vector<QuotaWarning>& warnings) {
  if (shared_ != nullptr) return shared_limit_stage(request, rules, held, warnings);
  core::Decision d = limiter_.check({request.principal, request.type, 1}, now);
  // On one node the scheduler keeps commands within the concurrency limits (they wait rather
  // than fail), so the limiter holds no slots for them.
  limiter_.release(d.lease);
  const std::string& type_name = rules->command_types()[request.type].name;
  const int64_t wall_ms = core::to_ms(now.wall);
  if (d.allowed) {
    store_.add_usage({request.user_id, request.principal.key, type_name,
                      day_.at(rules->calendar(), wall_ms), 1});
    if (warner_ != nullptr) {
      warnings = warner_->warn({.rules = rules,
                                .user_id = request.user_id,
                                .key_id = request.principal.key,
                                .principal = request.principal,
                                .type = request.type,
                                .cost = 1,
                                .command = {},
                                .hold = false},
                               d, wall_ms);
    }
    return std::nullopt;
  }
  const std::string limit = core::policy_name(d.deciding, *rules);
  store_.record_violation({request.user_id, request.principal.key, type_name, limit,
                           display_command(request.spec.argv), wall_ms});
  return limit_refusal(d, limit);
}

std::optional<Refusal> Executor::shared_limit_stage(
    const ExecRequest& request, const std::shared_ptr<const core::RuleSet>& rules,
    LeaseKeeper::Held* held, std::vector<QuotaWarning>& warnings) {
  // The quota check counts in the shared counters and records usage or the violation, as
  // for every other front end; its wait is bounded by the counters' deadline. The other
  // nodes' schedulers do not see this one's commands: the slots stay taken in the counters.
  const std::string command = display_command(request.spec.argv);
  QuotaAnswer answer = shared_->check({.rules = rules,
                                       .user_id = request.user_id,
                                       .key_id = request.principal.key,
                                       .principal = request.principal,
                                       .type = request.type,
                                       .cost = 1,
                                       .command = command,
                                       .hold = held != nullptr});
  switch (answer.outcome) {
    case QuotaOutcome::kAdmitted:
      if (held != nullptr) *held = leases_->hold(answer.decision.lease);
      warnings = std::move(answer.warnings);
      return std::nullopt;
    case QuotaOutcome::kRefused:
      return limit_refusal(answer.decision, core::policy_name(answer.decision.deciding, *rules));
    case QuotaOutcome::kOverloaded:
    case QuotaOutcome::kHeld:
      // The quota check's own load throttle stopped it at factor 0, before counting: as the
      // load stage below would.
      return Refusal{503, "overloaded", "the machine is overloaded; try again later",
                     std::chrono::seconds(std::max<int64_t>(1, answer.retry_after_s)),
                     std::nullopt};
    case QuotaOutcome::kStorePaused:
      return Refusal{503, "store_unavailable",
                     "the database is unavailable and admissions are paused",
                     std::chrono::seconds(kStorePausedRetryAfterS), std::nullopt};
    case QuotaOutcome::kCountersUnavailable:
      return Refusal{503, "counters_unavailable",
                     "the shared counters do not answer and the outage policy is closed",
                     std::chrono::seconds(kCountersUnavailableRetryAfterS), std::nullopt};
  }
  return std::nullopt;
}

Refusal Executor::limit_refusal(const core::Decision& d, const std::string& limit) {
  Refusal r{429, "limit_exceeded", "", std::nullopt, d};
  r.message = "limit " + limit + " reached (" + std::to_string(d.deciding.limit.amount) + ")";
  if (d.deciding.retry_after_ms >= 0) {
    r.retry_after =
        std::chrono::seconds(std::max<int64_t>(1, core::ceil_seconds(d.deciding.retry_after_ms)));
    r.message += "; try again in " + std::to_string(r.retry_after->count()) + " s";
  }
  return r;
}

std::optional<Refusal> Executor::count_against_limits(const ExecRequest& request,
                                                      LeaseKeeper::Held& held,
                                                      ExecObserver& observer) {
  const std::shared_ptr<const core::RuleSet> rules = limiter_.rules();
  std::vector<QuotaWarning> warnings;
  std::optional<Refusal> refusal = limit_stage(request, rules, clock_.now(), &held, warnings);
  if (!warnings.empty()) observer.on_quota_warnings(warnings, *rules);
  return refusal;
}

uint32_t Executor::concurrency_of(const ExecRequest& request, const core::RuleSet& rules) {
  core::Policy scratch;
  const core::Policy& policy = rules.resolve(request.principal, request.type, scratch);
  uint32_t tightest = 0;
  for (const core::CompiledLimit& limit : policy) {
    if (limit.kind != core::LimitKind::kConcurrency) continue;
    if (limit.enforcement != core::Enforcement::kEnforce || !limit.applies_to(request.type)) {
      continue;
    }
    tightest = tightest == 0 ? limit.amount : std::min(tightest, limit.amount);
  }
  return tightest;
}

std::optional<Executor::Handle> Executor::submit(ExecRequest request,
                                                 std::shared_ptr<ExecObserver> observer,
                                                 LeaseKeeper::Held counted) {
  if (draining()) {
    observer->on_refused({503, "shutting_down",
                          "the server is shutting down; send the command to another server or "
                          "try again later",
                          std::chrono::seconds(5), std::nullopt});
    return std::nullopt;
  }
  if (core::Status s = prepare(request); !s.ok()) {
    observer->on_failed(s);
    return std::nullopt;
  }
  auto command = std::make_shared<Command>();
  command->request = std::move(request);
  command->observer = std::move(observer);
  command->lease = std::move(counted);
  if (!command->request.from_agent || confirm_ == nullptr) return admit(command);
  Handle handle = 0;
  {
    // Known before the hook is asked, so that the client can cancel while it decides.
    core::MutexLock lock(mu_);
    handle = command->handle = ++next_handle_;
    commands_[handle] = command;
  }
  // The answer may come at once (patterns, a busy reviewer) or later from the reviewer's
  // thread; no thread waits for it.
  confirm_->review(command->request, [this, command](Confirmation c) { confirmed(command, c); });
  core::MutexLock lock(mu_);
  if (command->dropped) return std::nullopt;
  return handle;
}

void Executor::confirmed(const std::shared_ptr<Command>& command, const Confirmation& c) {
  if (std::optional<Refusal> refusal = refusal_of(command->request, c)) {
    return refuse(*command, *refusal);
  }
  admit(command);
}

bool Executor::take_out(Command& command) {
  core::MutexLock lock(mu_);
  if (command.handle == 0) return true;  // never known to cancel(): nobody else ends it
  if (commands_.erase(command.handle) == 0) return false;
  command.dropped = true;
  return true;
}

void Executor::refuse(Command& command, const Refusal& refusal) {
  // A command cancel() dropped meanwhile has had its last word (on_failed).
  if (take_out(command)) command.observer->on_refused(refusal);
}

std::optional<Executor::Handle> Executor::admit(const std::shared_ptr<Command>& command) {
  const ExecRequest& request = command->request;
  if (!store_.accepts_admissions()) {
    refuse(*command,
           {503, "store_unavailable", "the database is unavailable and admissions are paused",
            std::chrono::seconds(5), std::nullopt});
    return std::nullopt;
  }
  if (auto refusal = id_stage(request)) {
    refuse(*command, *refusal);
    return std::nullopt;
  }
  // From here on an end before the queue gives the id back.
  auto give_up = [&](const Refusal* refusal) -> std::optional<Handle> {
    command->lease.release();
    claimed_->release(request.user_id, request.id);
    if (refusal != nullptr) refuse(*command, *refusal);
    return std::nullopt;
  };
  std::shared_ptr<const core::RuleSet> rules = limiter_.rules();
  const core::Instant now = clock_.now();
  if (!request.limits_counted) {
    std::vector<QuotaWarning> warnings;
    if (auto refusal = limit_stage(request, rules, now, &command->lease, warnings)) {
      return give_up(&*refusal);
    }
    if (!warnings.empty()) command->observer->on_quota_warnings(warnings, *rules);
  }
  const core::Admission admission =
      load_ != nullptr ? load_->admit(request.principal.tier) : core::Admission{};
  if (admission.refuse) {
    const Refusal overloaded{503, "overloaded", "the machine is overloaded; try again later",
                             admission.retry_after, std::nullopt};
    return give_up(&overloaded);
  }

  command->type_name = rules->command_types()[request.type].name;
  if (admission.delay.count() > 0) command->observer->on_throttled(admission);
  Job job;
  job.command = {request.user_id, request.principal.tier, concurrency_of(request, *rules),
                 now.mono + admission.delay};
  job.run = [this, command](core::TicketId) { run_stage(command); };
  job.dropped = [this, command](DropReason reason) {
    command->lease.release();
    forget(*command);
    claimed_->release(command->request.user_id, command->request.id);
    command->observer->on_failed(core::Status::unavailable(
        reason == DropReason::kTimedOut
            ? "waited too long in the queue"
            : "left the queue: " + std::string(drop_reason_name(reason))));
  };
  job.moved = [command](const core::Enqueued& position) { command->observer->on_queued(position); };

  // Under mu_, so the command is known (for cancel) and told it is queued before a worker
  // can start it: run_stage takes mu_ first.
  command->queued_at = now.mono;
  core::MutexLock lock(mu_);
  if (command->handle != 0 && command->dropped) return give_up(nullptr);  // cancelled meanwhile
  core::Enqueued queued = scheduler_.submit(std::move(job));
  if (!queued.accepted) {
    command->lease.release();
    claimed_->release(command->request.user_id, command->request.id);
    if (command->handle != 0) {
      commands_.erase(command->handle);
      command->dropped = true;
    }
    command->observer->on_refused({503, "queue_full",
                                   "too many commands are waiting; try again later",
                                   std::chrono::seconds(5), std::nullopt});
    return std::nullopt;
  }
  if (command->handle == 0) command->handle = ++next_handle_;
  command->ticket = queued.id;
  commands_[command->handle] = command;
  command->observer->on_queued(queued);
  return command->handle;
}

void Executor::run_stage(const std::shared_ptr<Command>& command) {
  { core::MutexLock lock(mu_); }  // submit() has finished telling the observer
  running_.fetch_add(1, std::memory_order_relaxed);
  const core::Instant started = clock_.now();
  if (waited_) waited_(command->request.principal.tier, started.mono - command->queued_at);
  command->observer->on_started();
  core::Result<RunResult> result =
      runner_.run(command->request.spec, command.get(), &command->cancel);
  running_.fetch_sub(1, std::memory_order_relaxed);
  command->lease.release();  // it has ended: the slots are free before the record is durable
  if (!result.ok()) {
    forget(*command);
    claimed_->release(command->request.user_id, command->request.id);
    command->observer->on_failed(result.status());
    return;
  }

  // A command still running when the shutdown grace ran out: its client is told why.
  if (result.value().cancelled && draining()) result.value().cancelled_by_shutdown = true;
  const RunResult& r = result.value();
  store::Execution e;
  e.id = command->request.id;
  e.user_id = command->request.user_id;
  e.key_id = command->request.principal.key;
  e.type = command->type_name;
  e.command = display_command(command->request.spec.argv);
  e.source = store::ExecutionSource::kRun;
  e.started_at_ms = core::to_ms(started.wall);
  e.duration_ms = to_ms(r.wall_duration);
  e.cpu_ms = to_ms(r.user_cpu + r.system_cpu);
  e.peak_memory_bytes = r.cgroup_peak_memory_bytes.value_or(r.peak_rss_bytes);
  if (r.term_signal > 0) {
    e.signal = r.term_signal;
  } else {
    e.exit_code = r.exit_code;
  }
  forget(*command);
  // The callback may run after the executor is gone (the store drains last): it holds what
  // it needs.
  store_.record_execution(std::move(e), [command, claimed = claimed_,
                                         r = std::move(result.value())](core::Result<bool> stored) {
    const ExecRequest& req = command->request;
    claimed->release(req.user_id, req.id);
    core::Status recorded = stored.status();
    if (stored.ok() && !stored.value()) {
      // Another node ran the same user's id at the same time and recorded it first.
      recorded = core::Status::invalid_argument("execution id " + req.id +
                                                " was already recorded for this user; this run "
                                                "is not recorded");
    }
    command->observer->on_exited(r, recorded);
  });
}

void Executor::forget(const Command& command) {
  core::MutexLock lock(mu_);
  commands_.erase(command.handle);
}

void Executor::cancel(Handle handle) {
  std::shared_ptr<Command> command;
  std::optional<core::TicketId> ticket;
  {
    core::MutexLock lock(mu_);
    auto it = commands_.find(handle);
    if (it == commands_.end()) return;
    command = it->second;
    ticket = command->ticket;
    if (!ticket) {
      // Waiting for the hook: dropped here; its answer, when it comes, finds it gone.
      commands_.erase(it);
      command->dropped = true;
    }
  }
  if (!ticket) {
    command->observer->on_failed(core::Status::unavailable("cancelled before it was confirmed"));
    return;
  }
  if (scheduler_.cancel(*ticket)) return;  // it was waiting: dropped() told the observer
  command->cancel.cancel();                // it is running: the runner stops its process group
}

void Executor::drain() { draining_.store(true, std::memory_order_release); }

bool Executor::wait_idle(std::chrono::milliseconds grace) { return claimed_->wait_empty(grace); }

void Executor::cancel_all() {
  std::vector<Handle> handles;
  {
    core::MutexLock lock(mu_);
    for (const auto& [handle, command] : commands_) handles.push_back(handle);
  }
  for (Handle h : handles) cancel(h);
}

}  // namespace gaia::exec
