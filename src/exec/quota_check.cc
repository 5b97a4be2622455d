#include "exec/quota_check.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>

#include "core/limit_name.h"

namespace gaia::exec {

QuotaCheck::QuotaCheck(core::Limiter& limiter, core::CounterBackend* counters, store::Store& store,
                       const core::Clock& clock, CheckObserver& observer, QuotaCheckOptions options)
    : limiter_(limiter),
      local_(limiter),
      shared_(counters != nullptr),
      counters_(counters ? *counters : local_),
      options_(std::move(options)),
      store_(store),
      clock_(clock),
      observer_(observer),
      warnings_(options_.warn_at) {
  // The limiter lists the calendar quotas an admission may warn about by the same thresholds.
  std::array<uint8_t, core::kTierCount> warn_from{};
  for (int tier = 0; tier < core::kTierCount; ++tier) warn_from[tier] = options_.warn_at[tier][0];
  limiter_.set_warn_from(warn_from);
}

bool QuotaCheck::store_open(QuotaAnswer& answer) {
  // GAIA_STORE_FAILURE=closed: while the database is away, new work waits for it.
  if (store_.accepts_admissions()) return true;
  answer.outcome = QuotaOutcome::kStorePaused;
  answer.retry_after_s = kStorePausedRetryAfterS;
  return false;
}

QuotaAnswer QuotaCheck::check(const QuotaRequest& req) {
  QuotaAnswer answer;
  if (!store_open(answer) || throttle_stops(req, answer)) return answer;
  const core::Instant now = clock_.now();
  // The counters answer inline (in memory) or from their own thread (Redis), whose deadline
  // bounds the wait. One pointer captured: std::function keeps it without allocating. An int
  // is what the kernel waits on directly: notifying it with nobody waiting (the inline answer)
  // reads one word and writes nothing shared.
  struct Waiting {
    core::CheckResult result;
    std::atomic<int> done{0};
  } waiting;
  counters_.check({req.principal, req.type, req.cost}, now,
                  [w = &waiting](const core::CheckResult& r) {
                    w->result = r;
                    w->done.store(1, std::memory_order_release);
                    w->done.notify_one();
                  });
  waiting.done.wait(0, std::memory_order_acquire);
  return decide(req, now, waiting.result, std::move(answer));
}

const char* source_name(QuotaView::Source source) {
  switch (source) {
    case QuotaView::Source::kMemory:
      return "memory";
    case QuotaView::Source::kShared:
      return "shared";
    case QuotaView::Source::kLocal:
      return "local";
  }
  return "memory";
}

QuotaView QuotaCheck::quota_view(const core::Principal& principal) const {
  // As check(): answered inline or on the backend's thread within its deadline.
  struct Waiting {
    QuotaView view;
    std::atomic<int> done{0};
  } waiting;
  quota_view_async(principal, [w = &waiting](QuotaView view) {
    w->view = std::move(view);
    w->done.store(1, std::memory_order_release);
    w->done.notify_one();
  });
  waiting.done.wait(0, std::memory_order_acquire);
  return std::move(waiting.view);
}

void QuotaCheck::quota_view_async(const core::Principal& principal,
                                  std::function<void(QuotaView)> done) const {
  const core::Instant now = clock_.now();
  counters_.peek(principal, now,
                 [this, principal, now,
                  done = std::move(done)](std::optional<std::vector<core::QuotaLine>> lines) {
                   if (lines) {
                     return done({std::move(*lines), shared_ ? QuotaView::Source::kShared
                                                             : QuotaView::Source::kMemory});
                   }
                   done({limiter_.quota_status(principal, now), QuotaView::Source::kLocal});
                 });
}

struct QuotaCheck::Pending {
  QuotaRequest req;
  std::string command;  // req.command points here
  core::Instant now;
  std::optional<ThrottleNotice> throttle;
  std::function<void(QuotaAnswer)> done;
};

void QuotaCheck::check_async(const QuotaRequest& req, std::function<void(QuotaAnswer)> done) {
  // In memory the answer is at hand: nothing to keep for later.
  if (answers_inline()) return done(check(req));
  QuotaAnswer answer;
  if (!store_open(answer) || throttle_stops(req, answer)) {
    done(std::move(answer));
    return;
  }
  auto pending = std::make_shared<Pending>(Pending{req, std::string(req.command), clock_.now(),
                                                   std::move(answer.throttle), std::move(done)});
  pending->req.command = pending->command;
  counters_.check({req.principal, req.type, req.cost}, pending->now,
                  [this, pending](const core::CheckResult& r) {
                    QuotaAnswer answer;
                    answer.throttle = pending->throttle;
                    pending->done(decide(pending->req, pending->now, r, std::move(answer)));
                  });
}

core::OutagePolicy QuotaCheck::outage_policy(const QuotaRequest& req) const {
  core::Policy scratch;
  core::OutagePolicy strictest = core::OutagePolicy::kDefault;
  // Shadow limits never refuse, so their rules' policies do not either.
  for (const core::CompiledLimit& limit : req.rules->resolve(req.principal, req.type, scratch)) {
    if (limit.enforcement != core::Enforcement::kEnforce) continue;
    const core::OutagePolicy own =
        limit.outage == core::OutagePolicy::kDefault ? options_.outage : limit.outage;
    strictest = std::max(strictest, own);  // the enum runs from lenient to strict
  }
  return strictest == core::OutagePolicy::kDefault ? options_.outage : strictest;
}

std::optional<core::Decision> QuotaCheck::outage_decision(const QuotaRequest& req,
                                                          core::Instant now) {
  switch (outage_policy(req)) {
    case core::OutagePolicy::kDefault:
    case core::OutagePolicy::kClosed:
      return std::nullopt;
    case core::OutagePolicy::kOpen:
      return core::Decision{};
    case core::OutagePolicy::kLocal: {
      // Each live node counts its share of every rate and quota (concurrency is not scaled).
      const uint32_t nodes = options_.live_nodes ? std::max<uint32_t>(1, options_.live_nodes()) : 1;
      core::Principal share = req.principal;
      share.limit_scale = static_cast<uint16_t>(std::max<uint32_t>(1, share.limit_scale / nodes));
      core::Decision d = limiter_.check({share, req.type, req.cost}, now);
      limiter_.release(d.lease);
      return d;
    }
  }
  return std::nullopt;
}

bool QuotaCheck::throttle_stops(const QuotaRequest& req, QuotaAnswer& answer) const {
  if (load_ != nullptr) answer.throttle = load_->throttle(req.principal.tier);
  // At factor 0 new work does not start: the quota is left untouched until it is admitted.
  // A read (cost 0) starts nothing and is answered.
  if (!answer.throttle || req.cost == 0) return false;
  const core::Admission& a = answer.throttle->admission;
  if (a.refuse) {
    answer.outcome = QuotaOutcome::kOverloaded;
    answer.retry_after_s = std::max<int64_t>(1, a.retry_after.count());
    return true;
  }
  if (a.hold) {
    answer.outcome = QuotaOutcome::kHeld;
    answer.retry_after_s =
        std::max<int64_t>(1, core::ceil_seconds(answer.throttle->recheck.count()));
    return true;
  }
  return false;
}

QuotaAnswer QuotaCheck::decide(const QuotaRequest& req, core::Instant now,
                               const core::CheckResult& result, QuotaAnswer answer) {
  answer.rules = req.rules;
  const core::RuleSet& rules = *answer.rules;
  core::Decision& d = answer.decision;
  if (result.decided) {
    d = result.decision;
    // Concurrency slots belong to commands Gaia runs itself; a check alone holds none.
    if (!req.hold) counters_.release(d.lease);
  } else if (auto fallback = outage_decision(req, now)) {
    d = *fallback;
    d.lease = {};  // the local limiter's, given back already: nothing to hold in the counters
  } else {
    answer.outcome = QuotaOutcome::kCountersUnavailable;
    answer.retry_after_s = kCountersUnavailableRetryAfterS;
    d.allowed = false;
    return answer;
  }
  const double seconds = std::chrono::duration<double>(clock_.mono_now() - now.mono).count();

  const std::string& type_name = rules.command_types()[req.type].name;
  std::string scratch;
  const std::string_view limit =
      d.has_deciding ? core::policy_name(d.deciding.limit, rules, scratch) : "none";
  observer_.checked(type_name, d.allowed, limit, seconds);
  const int64_t wall_ms = core::to_ms(now.wall);
  if (d.allowed) {
    answer.outcome = QuotaOutcome::kAdmitted;
    if (req.cost > 0) {
      store_.add_usage(
          {req.user_id, req.key_id, type_name, day_.at(rules.calendar(), wall_ms), req.cost});
      answer.warnings = warn(req, d, wall_ms);
    }
  } else {
    answer.outcome = QuotaOutcome::kRefused;
    store_.record_violation({req.user_id, req.key_id, type_name, std::string(limit),
                             std::string(req.command), wall_ms});
    if (d.deciding.retry_after_ms >= 0) {
      answer.retry_after_s = std::max<int64_t>(1, core::ceil_seconds(d.deciding.retry_after_ms));
    }
  }
  return answer;
}

std::vector<QuotaWarning> QuotaCheck::warn(const QuotaRequest& req, const core::Decision& d,
                                           int64_t wall_ms) {
  std::vector<QuotaWarning> due;
  if (!d.allowed || req.cost == 0) return due;
  const core::RuleSet& rules = *req.rules;
  const std::string& type_name = rules.command_types()[req.type].name;
  // Every calendar quota the admission counted in, not only the one nearest exhaustion:
  // a week's quota crosses its threshold on a day when the day's is nearer its end.
  for (int i = 0; i < d.calendar_count; ++i) {
    std::optional<QuotaWarning> w = warnings_.crossed(req.principal, d.calendar[i], req.cost);
    if (!w) continue;
    if (warning_listener_ != nullptr) {
      warning_listener_->on_quota_warning(req.user_id, type_name,
                                          core::policy_name(w->state, rules), *w, wall_ms);
    }
    due.push_back(*w);
  }
  return due;
}

}  // namespace gaia::exec
