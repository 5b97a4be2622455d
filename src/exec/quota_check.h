#pragma once
// QuotaCheck: the admission check every front end asks (POST /api/v1/check, Envoy's
// ShouldRateLimit): the limiter decides, the decision is counted, and an admission is recorded
// as usage, a refusal as a violation, through the same store, so every front end shares the
// counters, the violations and the figures. The caller has authenticated the subject and
// validated the request; the answer is transport-free, each front end renders it.
//
// It also tells the caller what the load throttle asks of them (exec/load_signal.h: a delay
// below factor 1; at factor 0 a refusal or a wait, before any quota is consumed) and warns
// when an admission takes a calendar quota past a warning threshold (exec/quota_warnings.h).
//
// Ownership: borrows the limiter, store, clock and observer, which must outlive it, and the
// load signal and warning listener once set.
// Threads: any thread may call check(); it never waits on I/O (writes are queued). The
// setters are called before the first check.
//
// Example:
//   QuotaCheck quota(limiter, feed, clock, metrics);
//   QuotaAnswer a = quota.check({.user_id = 7, .principal = p, .type = shell});
//   if (a.outcome == QuotaOutcome::kRefused) answer_429(a.decision, *a.rules, a.retry_after_s);

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/day_start.h"
#include "core/decision.h"
#include "core/limiter.h"
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
  // A calendar quota this admission took past a warning threshold, told once per period.
  std::optional<QuotaWarning> warning;

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

// While the store refuses new work, clients are told to come back after this many seconds.
inline constexpr int64_t kStorePausedRetryAfterS = 5;

class QuotaCheck {
 public:
  QuotaCheck(core::Limiter& limiter, store::Store& store, const core::Clock& clock,
             CheckObserver& observer,
             const QuotaWarnings::TierThresholds& warn_at = QuotaWarnings::kDefaultTierThresholds)
      : limiter_(limiter), store_(store), clock_(clock), observer_(observer), warnings_(warn_at) {}
  QuotaCheck(const QuotaCheck&) = delete;
  QuotaCheck& operator=(const QuotaCheck&) = delete;

  // Checks `req` against every limit that applies, consuming req.cost on admission; records
  // the admission (usage, unless the cost is 0) or the refusal (a violation). A check holds
  // no concurrency slot afterwards: slots belong to commands Gaia runs itself.
  QuotaAnswer check(const QuotaRequest& req);

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
  core::Limiter& limiter_;
  store::Store& store_;
  const core::Clock& clock_;
  CheckObserver& observer_;
  const LoadSignal* load_ = nullptr;
  QuotaWarningListener* warning_listener_ = nullptr;
  QuotaWarnings warnings_;
  core::DayStart day_;
};

}  // namespace gaia::exec
