#pragma once
// Executor: a command's whole way through Gaia, as a fixed list of stages:
//   confirm (hook) → id (unused by the user?) → limit (limiter) → admit (throttle, scheduler)
//   → run (runner) → record.
// Each stage either lets the command continue or ends it with a Refusal; every step is told
// to the command's ExecObserver as it happens, so the HTTP layer can stream it.
//
// Threads: submit() and cancel() from any thread; submit() never waits on the confirmation
// hook. Observer calls come from the submitting thread or the hook's (refusals, queued), a
// scheduler worker (started, output) and the store's writer (exited), one at a time per
// command.
//
// Example:
//   auto handle = executor.submit(request, observer);
//   ... client went away: executor.cancel(*handle);

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "confirm/approval_desk.h"
#include "core/clock.h"
#include "core/day_start.h"
#include "core/fair_queue.h"
#include "core/limiter.h"
#include "core/mutex.h"
#include "core/throttle.h"
#include "exec/lease_keeper.h"
#include "exec/quota_check.h"
#include "exec/runner.h"
#include "exec/scheduler.h"
#include "store/store.h"

namespace gaia::exec {

// Where an execution's id comes from. A generated one is new by construction.
enum class IdOrigin : uint8_t { kCaller, kGenerated };

struct ExecRequest {
  std::string id;  // the execution's id, unique per user
  IdOrigin id_origin = IdOrigin::kCaller;
  uint64_t user_id = 0;
  std::string user_name;
  core::Principal principal;
  core::CommandTypeId type = 0;
  bool from_agent = false;  // proposed by an AI agent: the confirmation hook decides
  // Counted against the limits already, when it went to wait for a person's approval
  // (count_against_limits): the limit stage lets it pass rather than count it twice.
  bool limits_counted = false;
  RunSpec spec;
  // Set by Executor::prepare with spec.program: what the command changes in the environment
  // it would inherit (see Launch).
  std::vector<std::pair<std::string, std::string>> env_changes;
};

// argv as a person would type it, for logs and records: words with shell metacharacters
// single-quoted. Never run: commands are spawned from argv.
std::string display_command(const std::vector<std::string>& argv);

// What a prepared request runs, as a person would type it: the env changes as NAME=value
// words, the resolved program, then argv[1..]: "LD_PRELOAD=/x.so /usr/bin/ls -la". This is
// the text the confirmation policy judges and the approval desk and decision log show.
std::string launch_command(const ExecRequest& request);

// Why a command did not run, and what the client should be told.
struct Refusal {
  // HTTP-like: 403 denied, 409 id already used, 428 needs approval, 429 limit, 503 load or store
  unsigned status = 429;
  std::string code;  // e.g. "limit_exceeded", "denied", "duplicate_id", "overloaded", "queue_full"
  std::string message;  // one clear line for a person
  std::optional<std::chrono::seconds> retry_after;
  std::optional<core::Decision> decision;  // the limiter's, for 429
  // For a refusal of the confirmation stage (403, 428): what was judged, and its program.
  std::string command = {};
  std::string program = {};
};

class ExecObserver {
 public:
  virtual ~ExecObserver() = default;
  virtual void on_refused(const Refusal& refusal) = 0;
  virtual void on_queued(const core::Enqueued& position) = 0;
  // Under load (factor below 1) the command starts no sooner than admission.delay from now;
  // told just before it is queued.
  virtual void on_throttled(const core::Admission& admission) { (void)admission; }
  // Its admission took calendar quotas past a warning threshold (exec/quota_warnings.h), named
  // from `rules`; told once, right after the limit stage, before on_throttled and on_queued.
  virtual void on_quota_warnings(const std::vector<QuotaWarning>& warnings,
                                 const core::RuleSet& rules) {
    (void)warnings;
    (void)rules;
  }
  virtual void on_started() = 0;
  virtual void on_output(OutputStream stream, std::string_view bytes) = 0;
  // The command ended and its execution row is durable, or `recorded` says why it is not
  // (the store failed, or another node recorded the same user and id first).
  virtual void on_exited(const RunResult& result, const core::Status& recorded) = 0;
  // It never ran: the program could not be started, or it waited too long / was cancelled.
  virtual void on_failed(const core::Status& why) = 0;
  // It waits for an admin's approval (see approval_gate.h); `message` says why it must.
  virtual void on_approval_required(const confirm::PendingApproval& waiting,
                                    const std::string& message) {
    (void)waiting;
    (void)message;
  }
};

// The confirmation stage: whether a proposed command may run. The policy of src/confirm
// plugs in here; without one every command is approved.
struct Confirmation {
  enum class Verdict { kApprove, kDeny, kAsk } verdict = Verdict::kApprove;
  std::string reason;
};
class ConfirmationHook {
 public:
  virtual ~ConfirmationHook() = default;
  // Calls `done` exactly once with the verdict: before returning, or later from another
  // thread (a reviewer's answer). Never blocks on the answer.
  virtual void review(const ExecRequest& request, std::function<void(Confirmation)> done) = 0;
};

// The admission stage's view of the machine's load.
class LoadGate {
 public:
  virtual ~LoadGate() = default;
  virtual core::Admission admit(core::Tier tier) = 0;
};

class Executor {
 public:
  using Handle = core::TicketId;

  // Every reference must outlive the executor; `confirm`, `load` and `shared` may be null. While
  // the store is away the store's own failure policy decides (Store::accepts_admissions): fail
  // open runs the command and records it once the store is back, fail closed refuses.
  // `shared`: the counters are shared by several nodes (Redis); the limit stage asks it, and
  // its outage policy decides while they cannot answer (503 counters_unavailable when closed).
  // There a command holds its concurrency slots from its admission until it ends (queued or
  // running), as a lease that renew_leases() keeps alive; one over its limit is refused (429)
  // rather than queued, since another node may hold the slot.
  Executor(core::Limiter& limiter, Scheduler& scheduler, Runner& runner, store::Store& store,
           const core::Clock& clock, ConfirmationHook* confirm, LoadGate* load,
           QuotaCheck* shared = nullptr);
  ~Executor();

  // Works out what `request` will run (spec.program, env_changes) unless spec.program is
  // already set, so that the policy judges, and a person approves, exactly that. Fails as
  // Runner::prepare does (a missing program: kNotFound), changing nothing.
  [[nodiscard]] core::Status prepare(ExecRequest& request) const;

  // Takes the command through every stage, first prepare(). Returns the handle of a command
  // under way (waiting for the confirmation hook's answer, or queued), or nullopt when it was
  // refused or cannot start before submit() returned (the observer has been told). A refusal
  // by a later answer of the hook reaches the observer only. An id the user already has,
  // recorded or in flight on this executor, is refused with 409 before anything runs or is
  // counted. `counted`: the slots a request with limits_counted took when it was counted
  // (count_against_limits); the command holds them until it ends, and gives them back however
  // it ends.
  std::optional<Handle> submit(ExecRequest request, std::shared_ptr<ExecObserver> observer,
                               LeaseKeeper::Held counted = {});

  // Counts `request` against its principal's limits now, as the limit stage does (usage when
  // admitted, a violation when refused): how a command waiting for a person's approval takes
  // its share of its user's limits. Returns the 429 refusal, or nullopt when counted. On shared
  // counters an admission's concurrency slots stay taken in `held`, renewed with the other
  // leases, until it is released or handed to submit(); on one node it stays empty, since the
  // scheduler keeps the command within the concurrency limits once it runs. `observer` is told
  // the quota warnings the admission is due (on_quota_warnings), if any.
  std::optional<Refusal> count_against_limits(const ExecRequest& request, LeaseKeeper::Held& held,
                                              ExecObserver& observer);
  // Stops a command: one waiting for the hook's answer or in the queue is dropped
  // (on_failed), a running one is killed with its process group (on_exited with cancelled).
  // Unknown handles are ignored.
  void cancel(Handle handle);

  // Shutting down, first step: from now on submit() refuses every command with 503
  // "shutting_down" and Retry-After; commands under way go on.
  void drain();
  // Acquire: pairs with drain()'s release; a command submitted after it is refused.
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  // Waits until no command is under way (waiting, queued, running or being recorded, its
  // observer told) or `grace` has passed. True when none is left.
  bool wait_idle(std::chrono::milliseconds grace);
  // Cancels every command under way (shutting down).
  void cancel_all();

  size_t running() const { return running_.load(std::memory_order_relaxed); }

  // Renews the leases of the concurrency slots that commands under way hold in the shared
  // counters. Call every third of the lease's term; without shared counters it does nothing.
  void renew_leases();
  // How many commands hold a lease in the shared counters.
  size_t leases_held() const { return leases_ ? leases_->held() : 0; }
  // Told, on the worker that starts it, how long each command waited from its admission to
  // its start (the queue and any throttle delay), for /metrics. Set before the first submit().
  using WaitObserver = std::function<void(core::Tier tier, std::chrono::nanoseconds waited)>;
  void set_wait_observer(WaitObserver observer) { waited_ = std::move(observer); }
  // Where an admission on this node's own limiter finds the quota warnings it is due, which
  // also tells them to its warning listener; none: such admissions warn nobody. On shared
  // counters the limit stage asks `shared` itself. Set before the first submit().
  void set_quota_warnings(QuotaCheck* quota) { warner_ = quota; }

 private:
  struct Command;

  // (user, id) pairs queued, running or being recorded, shared with the record callbacks,
  // which may run after the executor is gone.
  class ClaimedIds;

  // Claims the request's (user, id) until its record is durable; a refusal claims nothing.
  std::optional<Refusal> id_stage(const ExecRequest& request);
  static std::optional<Refusal> refusal_of(const ExecRequest& request,
                                           const Confirmation& confirmation);
  // The hook answered about `command`.
  void confirmed(const std::shared_ptr<Command>& command, const Confirmation& confirmation);
  // The stages after the confirmation. Returns the handle, or nullopt when refused (told)
  // or cancelled meanwhile.
  std::optional<Handle> admit(const std::shared_ptr<Command>& command);
  // Ends a command before it is queued: false when cancel() ended it already.
  bool take_out(Command& command);
  void refuse(Command& command, const Refusal& refusal);
  // With `held`, an admission on shared counters keeps its concurrency slots there. An
  // admission fills `warnings` with the quota warnings it is due.
  std::optional<Refusal> limit_stage(const ExecRequest& request,
                                     const std::shared_ptr<const core::RuleSet>& rules,
                                     core::Instant now, LeaseKeeper::Held* held,
                                     std::vector<QuotaWarning>& warnings);
  // The limit stage on counters shared with other nodes.
  std::optional<Refusal> shared_limit_stage(const ExecRequest& request,
                                            const std::shared_ptr<const core::RuleSet>& rules,
                                            LeaseKeeper::Held* held,
                                            std::vector<QuotaWarning>& warnings);
  // The 429 of `d`, refused by the limit named `limit`.
  static Refusal limit_refusal(const core::Decision& d, const std::string& limit);
  void run_stage(const std::shared_ptr<Command>& command);
  void forget(const Command& command);
  // The tightest enforced concurrency limit of (principal, type); 0 when none.
  static uint32_t concurrency_of(const ExecRequest& request, const core::RuleSet& rules);

  core::Limiter& limiter_;
  Scheduler& scheduler_;
  Runner& runner_;
  store::Store& store_;
  const core::Clock& clock_;
  ConfirmationHook* confirm_;
  LoadGate* load_;
  QuotaCheck* shared_;
  QuotaCheck* warner_ = nullptr;
  // The slots commands hold in the shared counters; null without them.
  const std::unique_ptr<LeaseKeeper> leases_;
  core::DayStart day_;
  std::atomic<size_t> running_{0};
  std::atomic<bool> draining_{false};
  WaitObserver waited_;
  const std::shared_ptr<ClaimedIds> claimed_;

  core::Mutex mu_;
  // Waiting for the hook's answer, queued or running, by handle.
  std::unordered_map<Handle, std::shared_ptr<Command>> commands_ GUARDED_BY(mu_);
  Handle next_handle_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaia::exec
