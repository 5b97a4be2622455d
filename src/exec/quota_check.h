#pragma once
// QuotaCheck: the admission check every front end asks (POST /api/v1/check, Envoy's
// ShouldRateLimit): the counters decide (core::CounterBackend: the in-memory limiter, or Redis
// shared by several nodes), the decision is counted, and an admission is recorded
// as usage, a refusal as a violation, through the same store, so every front end shares the
// counters, the violations and the figures. The caller has authenticated the subject and
// validated the request; the answer is transport-free, each front end renders it.
//
// It also tells the caller what the load throttle asks of them (exec/load_signal.h: a delay
// below factor 1; at factor 0 a refusal or a wait, before any quota is consumed) and warns
// when an admission takes any of the caller's calendar quotas past a warning threshold
// (exec/quota_warnings.h).
//
// When the counters cannot answer within their deadline, the outage policy decides: the
// strictest (closed > local > open) of the enforced limits' rules, a rule without one taking
// the node's (GAIA_REDIS_FAILURE). Closed refuses (503 with Retry-After), open admits, local
// counts in this node's own limiter with every limit divided by the nodes that share it.
//
// On construction it gives the limiter its warning thresholds (Limiter::set_warn_from), so
// that an admission lists the calendar quotas that may owe a warning.
//
// Ownership: borrows the limiter, counters, store, clock and observer, which must outlive it,
// and the load signal and warning listener once set.
// Threads: any thread may call check() and check_async(). With the in-memory counters neither
// waits on I/O (writes are queued) and both answer on the calling thread; with Redis, check()
// waits for the answer, which the backend's deadline bounds, and check_async() calls `done` on
// the backend's thread: what an event loop calls (answers_inline() says which). The setters
// are called before the first check.
//
// Example:
//   QuotaCheck quota(limiter, feed, clock, metrics);
//   QuotaAnswer a = quota.check({.user_id = 7, .principal = p, .type = shell});
//   if (a.outcome == QuotaOutcome::kRefused) answer_429(a.decision, *a.rules, a.retry_after_s);

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/counter_backend.h"
#include "core/day_start.h"
#include "core/decision.h"
#include "core/limiter.h"
#include "core/local_counters.h"
#include "core/rule_set.h"
#include "exec/load_signal.h"
#include "exec/quota_warnings.h"
#include "store/store.h"

namespace gaia::exec {

// Who counts the checks (the service metrics). Called on the checking thread; must not block.
class CheckObserver {
 public:
  virtual ~CheckObserver() = default;
  // One check of `type`, admitted or not, decided by `limit` ("none" when no limit applied),
  // which took the limiter `seconds`.
  virtual void checked(std::string_view type, bool admitted, std::string_view limit,
                       double seconds) = 0;
};

struct QuotaRequest {
  // The rules the front end read `type` from (QuotaCheck::rules()); the answer names the type
  // and limits from them, so a check reads the rule set once.
  std::shared_ptr<const core::RuleSet> rules;
  uint64_t user_id = 0;  // whose usage and violations these are
  uint64_t key_id = 0;   // the key that asked, 0 for none
  core::Principal principal;
  core::CommandTypeId type = 0;  // REQUIRES: a type of `rules`
  uint32_t cost = 1;             // 0 reads the limits without consuming anything
  std::string_view command;      // kept with a refusal
  // Keep the concurrency slots an admission takes: the caller then owns
  // answer.decision.lease, renews it while the command runs and gives it back when it ends
  // (exec/lease_keeper.h). Otherwise the slots are given back at once.
  bool hold = false;
};

enum class QuotaOutcome {
  kAdmitted,
  kRefused,
  // Load throttling at factor 0, nothing checked or consumed: GAIA_THROTTLE_STOP=refuse
  // (come back after retry_after_s) or wait (ask again after throttle->recheck, for at most
  // throttle->admission.max_wait).
  kOverloaded,
  kHeld,
  // The store refuses new work while its database is away (GAIA_STORE_FAILURE=closed): nothing
  // was checked or recorded.
  kStorePaused,
  // The counters did not answer in time and the outage policy is closed: nothing was counted.
  kCountersUnavailable,
};

// The answer. Fields are added for what later checks weigh in (load, warnings); front ends
// read the ones they render.
struct QuotaAnswer {
  QuotaOutcome outcome = QuotaOutcome::kAdmitted;
  core::Decision decision;  // unset for kStorePaused
  // The request's rules: the names of the type and of the limits.
  std::shared_ptr<const core::RuleSet> rules;
  // For a refusal with a known free time, the whole seconds to wait (Retry-After), else -1.
  int64_t retry_after_s = -1;
  // The load throttle this caller is under; unset at factor 1 and for exempt tiers.
  std::optional<ThrottleNotice> throttle;
  // Each calendar quota this admission took past a warning threshold, told once per
  // threshold and period; in the policy's order.
  std::vector<QuotaWarning> warnings;

  bool admitted() const { return outcome == QuotaOutcome::kAdmitted; }
};

// Told of each quota warning as it is given (the live feed, the user's own channel). Called
// on the checking thread; must not block.
class QuotaWarningListener {
 public:
  virtual ~QuotaWarningListener() = default;
  // `type` and `limit` name the command type and the policy ("daily", "rule 7 daily").
  virtual void on_quota_warning(uint64_t user_id, std::string_view type, std::string_view limit,
                                const QuotaWarning& warning, int64_t at_ms) = 0;
};

// The state of a principal's limits, as a quota view shows it.
struct QuotaView {
  // Where the figures come from: the only counters there are (one node's memory), the
  // counters every node shares (Redis), or, while those do not answer, this node's own.
  enum class Source { kMemory, kShared, kLocal };
  std::vector<core::QuotaLine> lines;
  Source source = Source::kMemory;
};

// "memory", "shared" or "local", as the API names a view's source.
const char* source_name(QuotaView::Source source);

// While the store refuses new work, clients are told to come back after this many seconds.
inline constexpr int64_t kStorePausedRetryAfterS = 5;
// While the counters do not answer (outage policy closed), likewise.
inline constexpr int64_t kCountersUnavailableRetryAfterS = 1;

struct QuotaCheckOptions {
  // What a check does when the counters cannot answer in time, for the limits of rules that
  // name no policy of their own (GAIA_REDIS_FAILURE); kDefault counts as kClosed.
  core::OutagePolicy outage = core::OutagePolicy::kClosed;
  // kLocal: how many live nodes share the limits; each counts 1/n of them. Unset: 1.
  std::function<uint32_t()> live_nodes = nullptr;
  // The warning thresholds of each tier, where a rule names none of its own.
  QuotaWarnings::TierThresholds warn_at = QuotaWarnings::kDefaultTierThresholds;
};

class QuotaCheck {
 public:
  // Counts in `limiter` itself (one node).
  QuotaCheck(core::Limiter& limiter, store::Store& store, const core::Clock& clock,
             CheckObserver& observer, QuotaCheckOptions options = {})
      : QuotaCheck(limiter, nullptr, store, clock, observer, std::move(options)) {}
  // Counts in `counters`; `limiter` gives the rules and, for CounterOutage::kLocal, counts
  // while `counters` cannot answer.
  QuotaCheck(core::Limiter& limiter, core::CounterBackend& counters, store::Store& store,
             const core::Clock& clock, CheckObserver& observer, QuotaCheckOptions options)
      : QuotaCheck(limiter, &counters, store, clock, observer, std::move(options)) {}
  QuotaCheck(const QuotaCheck&) = delete;
  QuotaCheck& operator=(const QuotaCheck&) = delete;

  // Checks `req` against every limit that applies, consuming req.cost on admission; records
  // the admission (usage, unless the cost is 0) or the refusal (a violation). A check holds
  // no concurrency slot afterwards unless req.hold: slots belong to commands Gaia runs itself.
  // An admission the outage policy decided holds none either way.
  QuotaAnswer check(const QuotaRequest& req);
  // The same, answering `done` once the counters have (the request is copied).
  void check_async(const QuotaRequest& req, std::function<void(QuotaAnswer)> done);
  // Whether the counters answer on the calling thread (in memory): then check() never waits,
  // and check_async() calls `done` before it returns.
  bool answers_inline() const { return !shared_; }

  // The warnings due for `d`, the counters' decision on `req` at wall time `wall_ms`, each
  // told to the warning listener as it is found: what check() does after an admission, for a
  // caller that counted in the limiter itself (the executor on one node). None for a refusal
  // or a read (cost 0). REQUIRES: req.rules set; `d` decided on the limiter given at
  // construction (whose admissions list the calendar quotas that may owe a warning).
  std::vector<QuotaWarning> warn(const QuotaRequest& req, const core::Decision& d, int64_t wall_ms);

  // Where the checks count: the leases of held slots are renewed and given back there.
  core::CounterBackend& counters() { return counters_; }

  // The state of every enforced limit of `principal` now, read from the counters checks
  // count in, consuming nothing; while they do not answer within their deadline, this node's
  // own figures (Source::kLocal). Waits as check() does.
  QuotaView quota_view(const core::Principal& principal) const;
  // The same, answering `done` as check_async() does.
  void quota_view_async(const core::Principal& principal,
                        std::function<void(QuotaView)> done) const;

  // The rules checks are decided on now: how front ends find a command type's id.
  std::shared_ptr<const core::RuleSet> rules() const { return limiter_.rules(); }

  // The store's health, for front ends that say which failure policy an answer followed.
  store::StoreHealth store_health() { return store_.health(); }

  // The throttle a caller of `tier` is under now; nullopt at factor 1 or when exempt.
  std::optional<ThrottleNotice> throttle(core::Tier tier) const {
    return load_ != nullptr ? load_->throttle(tier) : std::nullopt;
  }

  // Where the load throttle comes from; none: checks are never throttled.
  void set_load_signal(const LoadSignal* load) { load_ = load; }
  void set_warning_listener(QuotaWarningListener* listener) { warning_listener_ = listener; }

 private:
  struct Pending;
  QuotaCheck(core::Limiter& limiter, core::CounterBackend* counters, store::Store& store,
             const core::Clock& clock, CheckObserver& observer, QuotaCheckOptions options);
  // Whether the store takes new work; else fills `answer` (kStorePaused).
  bool store_open(QuotaAnswer& answer);
  // Whether the load throttle stops `req` before any counter is asked (factor 0: kOverloaded
  // or kHeld in `answer`); sets answer.throttle whenever the caller is under one.
  bool throttle_stops(const QuotaRequest& req, QuotaAnswer& answer) const;
  // Completes `answer` (its throttle already set) to `req`, checked at `now`, from what the
  // counters said.
  QuotaAnswer decide(const QuotaRequest& req, core::Instant now, const core::CheckResult& result,
                     QuotaAnswer answer);
  // The outage policy's decision while the counters cannot answer; nullopt: refuse (closed).
  std::optional<core::Decision> outage_decision(const QuotaRequest& req, core::Instant now);
  // The policy `req` follows while the counters cannot answer: the strictest of its enforced
  // limits' (their rules', else the node's); the node's when no limit is enforced.
  core::OutagePolicy outage_policy(const QuotaRequest& req) const;

  core::Limiter& limiter_;
  core::LocalCounters local_;
  const bool shared_;  // counting in a backend of their own, not `limiter_`
  core::CounterBackend& counters_;
  const QuotaCheckOptions options_;
  store::Store& store_;
  const core::Clock& clock_;
  CheckObserver& observer_;
  const LoadSignal* load_ = nullptr;
  QuotaWarningListener* warning_listener_ = nullptr;
  QuotaWarnings warnings_;
  core::DayStart day_;
};

}  // namespace gaia::exec
