#include "cluster/redis/counter_backend.h"

#include <random>

#include "cluster/redis/check_call.h"
#include "cluster/redis/counters_lua.h"

namespace gaia::cluster::redis {
namespace {

uint64_t random_u64() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

// Restores and lease bookkeeping wait longer than a check: nobody waits on them.
constexpr std::chrono::milliseconds kBackgroundDeadline{1000};

bool is_missing_function(const Reply& reply) {
  return reply.kind == Reply::Kind::kError &&
         reply.str.find("Function not found") != std::string::npos;
}

}  // namespace

struct RedisCounterBackend::Pending {
  std::shared_ptr<const core::RuleSet> rules;
  core::Policy policy;
  CheckCall call;
  int64_t asked_mono_ms = 0;
  CheckDone done;
};

RedisCounterBackend::RedisCounterBackend(Caller& caller, const core::Limiter& rules,
                                         RedisCounterOptions options)
    : caller_(caller),
      rules_(rules),
      options_(options),
      note_(options.note_capacity, options.note_max_ms),
      lease_base_(random_u64() & ~uint64_t{0xFFFFFFFF}) {}

std::optional<int64_t> RedisCounterBackend::time_arg(core::Instant now) const {
  if (!options_.time_from_node) return std::nullopt;
  return core::to_ms(now.wall);
}

void RedisCounterBackend::check(const core::CheckRequest& req, core::Instant now, CheckDone done) {
  auto pending = std::make_shared<Pending>();
  pending->rules = rules_.rules();
  const core::RuleSet& rules = *pending->rules;
  const core::Policy& policy = rules.resolve(req.principal, req.type, pending->policy);
  if (&policy != &pending->policy) pending->policy = policy;
  core::CheckResult result;
  if (pending->policy.size == 0) {
    result.decision.priority = req.principal.tier == core::Tier::kEnterprise;
    done(result);
    return;
  }
  pending->asked_mono_ms = core::to_ms(now.mono);
  if (auto noted = note_.find(req, &rules, pending->asked_mono_ms)) {
    result.decision = *noted;
    done(result);
    return;
  }
  CheckCall& call = pending->call;
  call.rules = &rules;
  call.policy = &pending->policy;
  call.req = req;
  call.wall_ms = core::to_ms(now.wall);
  call.now_ms = time_arg(now);
  call.lease_id = lease_base_ | (next_lease_.fetch_add(1, std::memory_order_relaxed) & 0xFFFFFFFF);
  call.lease_ttl_ms = options_.lease_ttl_ms;
  call.concurrency_retry_after_ms = options_.concurrency_retry_after_ms;
  pending->done = std::move(done);
  caller_.call(check_argv(call), options_.deadline,
               [this, pending](CallResult r) { answer(pending, std::move(r)); });
}

void RedisCounterBackend::answer(const std::shared_ptr<Pending>& pending, CallResult r) {
  core::CheckResult result;
  result.decided = false;
  if (r.error == CallError::kNone) {
    if (is_missing_function(r.reply)) {
      // Redis restarted without the library: load it for the checks that follow; this one
      // has no time left for a second round trip.
      load([](bool) {});
    } else if (auto decision = read_decision(r.reply, pending->call)) {
      result.decided = true;
      result.decision = *decision;
      if (!result.decision.allowed) {
        note_.note(pending->call.req, pending->rules, result.decision, pending->asked_mono_ms);
      }
    }
  }
  pending->done(result);
}

void RedisCounterBackend::renew(const core::Lease& lease, core::Instant now) {
  if (lease.count == 0) return;
  caller_.call(renew_argv(*rules_.rules(), lease, options_.lease_ttl_ms, time_arg(now)),
               kBackgroundDeadline, [](CallResult) {});  // a lost renewal: the next one counts
}

void RedisCounterBackend::release(const core::Lease& lease) {
  if (lease.count == 0) return;
  // A lost release is a lease that lapses by itself.
  caller_.call(release_argv(*rules_.rules(), lease), kBackgroundDeadline, [](CallResult) {});
}

void RedisCounterBackend::restore(const core::CheckRequest& req, int64_t at_ms, core::Instant now) {
  std::shared_ptr<const core::RuleSet> rules = rules_.rules();
  core::Policy scratch;
  const core::Policy& policy = rules->resolve(req.principal, req.type, scratch);
  auto argv = restore_argv(*rules, policy, req, at_ms, core::to_ms(now.wall), time_arg(now));
  if (argv) caller_.call(std::move(*argv), kBackgroundDeadline, [](CallResult) {});
}

void RedisCounterBackend::peek(const core::Principal& principal, core::Instant now, PeekDone done) {
  std::shared_ptr<const core::RuleSet> rules = rules_.rules();
  std::vector<core::QuotaLine> lines = core::quota_limits(*rules, principal);
  if (lines.empty()) {
    done(std::move(lines));
    return;
  }
  auto argv = peek_argv(*rules, lines, principal, core::to_ms(now.wall), time_arg(now),
                        options_.concurrency_retry_after_ms);
  caller_.call(std::move(argv), options_.deadline,
               [this, lines = std::move(lines), done = std::move(done)](CallResult r) mutable {
                 if (r.error == CallError::kNone && is_missing_function(r.reply)) {
                   load([](bool) {});  // as for a check: for the calls that follow
                 } else if (r.error == CallError::kNone && read_peek(r.reply, lines)) {
                   done(std::move(lines));
                   return;
                 }
                 done(std::nullopt);
               });
}

void RedisCounterBackend::load(std::function<void(bool)> done) {
  if (loading_.exchange(true)) {
    done(false);  // a load is under way
    return;
  }
  caller_.call({"FUNCTION", "LOAD", "REPLACE", std::string(kCountersLua)}, kBackgroundDeadline,
               [this, done = std::move(done)](CallResult r) {
                 loading_.store(false);
                 done(r.error == CallError::kNone && r.reply.kind != Reply::Kind::kError);
               });
}

struct RedisCounterBackend::Reset {
  std::string pattern;
  size_t cleared = 0;
  std::function<void(std::optional<size_t>)> done;
};

void RedisCounterBackend::reset_user(core::UserId user,
                                     std::function<void(std::optional<size_t>)> done) {
  // Windows ("r") and calendar quotas ("c") of the user and its keys (check_call.h).
  auto reset = std::make_shared<Reset>(
      Reset{"gaia:{" + std::to_string(user) + "}:[rc]:*", 0, std::move(done)});
  reset_from(reset, "0");
}

void RedisCounterBackend::reset_from(const std::shared_ptr<Reset>& reset,
                                     const std::string& cursor) {
  caller_.call({"SCAN", cursor, "MATCH", reset->pattern, "COUNT", "1000"}, kBackgroundDeadline,
               [this, reset](CallResult r) { scanned(reset, r); });
}

void RedisCounterBackend::scanned(const std::shared_ptr<Reset>& reset, const CallResult& r) {
  const Reply& reply = r.reply;
  if (r.error != CallError::kNone || reply.kind != Reply::Kind::kArray ||
      reply.elements.size() != 2 || reply.elements[1].kind != Reply::Kind::kArray) {
    reset->done(std::nullopt);
    return;
  }
  auto go_on = [this, reset, next = reply.elements[0].str] {
    if (next == "0") {
      reset->done(reset->cleared);
    } else {
      reset_from(reset, next);
    }
  };
  if (reply.elements[1].elements.empty()) {
    go_on();
    return;
  }
  std::vector<std::string> unlink{"UNLINK"};
  for (const Reply& key : reply.elements[1].elements) unlink.push_back(key.str);
  reset->cleared += unlink.size() - 1;
  caller_.call(std::move(unlink), kBackgroundDeadline, [reset, go_on](CallResult u) {
    if (u.error != CallError::kNone || u.reply.kind == Reply::Kind::kError) {
      reset->done(std::nullopt);
      return;
    }
    go_on();
  });
}

void RedisCounterBackend::check_epoch(std::function<void(bool)> done) {
  // A fresh epoch per question: only the call that set it gets its own back.
  std::string fresh = std::to_string(random_u64());
  caller_.call({"FCALL", "gaia_epoch", "1", "gaia:epoch", fresh}, kBackgroundDeadline,
               [this, fresh, done = std::move(done)](CallResult r) mutable {
                 if (r.error == CallError::kNone && is_missing_function(r.reply)) {
                   // Redis came back empty, library and all: load it and ask again.
                   load([this, done = std::move(done)](bool loaded) mutable {
                     if (loaded) {
                       check_epoch(std::move(done));
                     } else {
                       done(false);
                     }
                   });
                   return;
                 }
                 done(r.error == CallError::kNone && r.reply.kind == Reply::Kind::kString &&
                      r.reply.str == fresh);
               });
}

}  // namespace gaia::cluster::redis
