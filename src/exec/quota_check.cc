#include "exec/quota_check.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/limit_name.h"

namespace gaia::exec {

QuotaAnswer QuotaCheck::check(const QuotaRequest& req) {
  QuotaAnswer answer;
  // GAIA_STORE_FAILURE=closed: while the database is away, new work waits for it.
  if (!store_.accepts_admissions()) {
    answer.outcome = QuotaOutcome::kStorePaused;
    answer.retry_after_s = kStorePausedRetryAfterS;
    return answer;
  }
  answer.rules = req.rules;
  if (load_ != nullptr) answer.throttle = load_->throttle(req.principal.tier);
  // At factor 0 new work does not start: the quota is left untouched until it is admitted.
  // A read (cost 0) starts nothing and is answered.
  if (answer.throttle && req.cost > 0) {
    const core::Admission& a = answer.throttle->admission;
    if (a.refuse) {
      answer.outcome = QuotaOutcome::kOverloaded;
      answer.retry_after_s = std::max<int64_t>(1, a.retry_after.count());
      return answer;
    }
    if (a.hold) {
      answer.outcome = QuotaOutcome::kHeld;
      answer.retry_after_s =
          std::max<int64_t>(1, core::ceil_seconds(answer.throttle->recheck.count()));
      return answer;
    }
  }
  const core::RuleSet& rules = *answer.rules;
  const core::Instant now = clock_.now();
  core::Decision& d = answer.decision;
  d = limiter_.check({req.principal, req.type, req.cost}, now);
  const double seconds = std::chrono::duration<double>(clock_.mono_now() - now.mono).count();
  // Concurrency slots belong to commands Gaia runs itself; a check alone holds none.
  limiter_.release(d.lease);

  const std::string& type_name = rules.command_types()[req.type].name;
  const std::string limit = d.has_deciding ? core::policy_name(d.deciding, rules) : "none";
  observer_.checked(type_name, d.allowed, limit, seconds);
  const int64_t wall_ms = core::to_ms(now.wall);
  if (d.allowed) {
    answer.outcome = QuotaOutcome::kAdmitted;
    if (req.cost > 0) {
      store_.add_usage(
          {req.user_id, req.key_id, type_name, day_.at(rules.calendar(), wall_ms), req.cost});
      // The limit nearest exhaustion is the one a warning is about.
      if (d.has_deciding) answer.warning = warnings_.passed(req.principal, d.deciding, wall_ms);
      if (answer.warning && warning_listener_ != nullptr) {
        warning_listener_->on_quota_warning(req.user_id, type_name, limit, *answer.warning,
                                            wall_ms);
      }
    }
  } else {
    answer.outcome = QuotaOutcome::kRefused;
    store_.record_violation(
        {req.user_id, req.key_id, type_name, limit, std::string(req.command), wall_ms});
    if (d.deciding.retry_after_ms >= 0) {
      answer.retry_after_s = std::max<int64_t>(1, core::ceil_seconds(d.deciding.retry_after_ms));
    }
  }
  return answer;
}

}  // namespace gaia::exec
