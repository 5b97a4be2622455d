#include "cluster/redis/check_call.h"

#include <algorithm>
#include <cstdint>

namespace gaia::cluster::redis {
namespace {

std::string key_prefix(core::UserId user, char kind, uint64_t scope, const core::RuleSet& rules,
                       core::CommandTypeId type) {
  std::string key = "gaia:{" + std::to_string(user) + "}:";
  key += kind;
  key += (scope & core::BlockKey::kKeyScope) ? ":k" : ":u";
  key += std::to_string(scope & ~core::BlockKey::kKeyScope);
  key += ':';
  key += type == core::kAnyType ? std::string("*") : rules.command_types()[type].name;
  return key;
}

char kind_letter(core::LimitKind kind) {
  switch (kind) {
    case core::LimitKind::kRate:
      return 'r';
    case core::LimitKind::kCalendar:
      return 'c';
    case core::LimitKind::kConcurrency:
      return 'n';
  }
  return 'r';
}

std::vector<std::string> fcall(const char* function, std::vector<std::string> keys) {
  std::vector<std::string> argv{"FCALL", function, std::to_string(keys.size())};
  for (std::string& key : keys) argv.push_back(std::move(key));
  return argv;
}

std::string time_arg(std::optional<int64_t> now_ms) {
  return now_ms ? std::to_string(*now_ms) : std::string();
}

bool integer_at(const Reply& reply, size_t i, int64_t& out) {
  if (i >= reply.elements.size() || reply.elements[i].kind != Reply::Kind::kInteger) return false;
  out = reply.elements[i].integer;
  return true;
}

// Reads (index, used, retry_after_ms, reset_ms) at `at` into `state`; false if malformed.
bool read_state(const Reply& reply, size_t at, const core::Policy& policy, core::LimitState& state,
                bool& present) {
  int64_t index, used, retry, reset;
  if (!integer_at(reply, at, index) || !integer_at(reply, at + 1, used) ||
      !integer_at(reply, at + 2, retry) || !integer_at(reply, at + 3, reset)) {
    return false;
  }
  present = index >= 0;
  if (!present) return true;
  if (index >= policy.size) return false;
  state.limit = policy.limits[index];
  state.used = static_cast<uint32_t>(used);
  state.remaining = used >= state.limit.amount ? 0 : state.limit.amount - state.used;
  state.retry_after_ms = retry;
  state.reset_ms = reset;
  return true;
}

// A limit as gaia_check and gaia_peek take it: kind, enforced, amount, then a window's width,
// or the ends of the calendar period `wall_ms` is in and of the next.
void push_limit(std::vector<std::string>& argv, const core::Calendar& calendar,
                const core::CompiledLimit& limit, int64_t wall_ms) {
  argv.push_back(std::string(1, kind_letter(limit.kind)));
  argv.push_back(limit.enforcement == core::Enforcement::kEnforce ? "1" : "0");
  argv.push_back(std::to_string(limit.amount));
  int64_t p1 = 0, p2 = 0;
  if (limit.kind == core::LimitKind::kRate) {
    p1 = limit.window_ms;
  } else if (limit.kind == core::LimitKind::kCalendar) {
    p1 = calendar.period_at(limit.period, wall_ms).end_ms;
    p2 = calendar.period_at(limit.period, p1).end_ms;
  }
  argv.push_back(std::to_string(p1));
  argv.push_back(std::to_string(p2));
}

}  // namespace

std::string counter_key(const core::RuleSet& rules, const core::CompiledLimit& limit,
                        const core::Principal& principal) {
  const core::BlockKey block = core::BlockKey::for_limit(limit, principal);
  std::string key =
      key_prefix(principal.user, kind_letter(limit.kind), block.scope, rules, limit.type);
  if (limit.kind == core::LimitKind::kRate) {
    key += ':' + std::to_string(limit.window_ms);
  } else if (limit.kind == core::LimitKind::kCalendar) {
    key += ':';
    key += core::period_name(limit.period);
  }
  return key;
}

std::string lease_key(const core::RuleSet& rules, core::UserId user, const core::BlockKey& block) {
  return key_prefix(user, 'n', block.scope, rules, static_cast<core::CommandTypeId>(block.group));
}

std::vector<std::string> check_argv(const CheckCall& call) {
  const core::Policy& policy = *call.policy;
  std::vector<std::string> keys;
  keys.reserve(policy.size);
  for (const core::CompiledLimit& limit : policy) {
    keys.push_back(counter_key(*call.rules, limit, call.req.principal));
  }
  std::vector<std::string> argv = fcall("gaia_check", std::move(keys));
  argv.push_back(time_arg(call.now_ms));
  argv.push_back(std::to_string(call.req.cost));
  argv.push_back(std::to_string(call.concurrency_retry_after_ms));
  argv.push_back(std::to_string(call.lease_id));
  argv.push_back(std::to_string(call.lease_ttl_ms));
  for (const core::CompiledLimit& limit : policy) {
    push_limit(argv, call.rules->calendar(), limit, call.wall_ms);
  }
  return argv;
}

std::optional<core::Decision> read_decision(const Reply& reply, const CheckCall& call) {
  if (reply.kind != Reply::Kind::kArray) return std::nullopt;
  const core::Policy& policy = *call.policy;
  core::Decision d;
  d.priority = call.req.principal.tier == core::Tier::kEnterprise;
  int64_t allowed, shadows, slots;
  if (!integer_at(reply, 0, allowed)) return std::nullopt;
  d.allowed = allowed == 1;
  if (!read_state(reply, 1, policy, d.deciding, d.has_deciding)) return std::nullopt;
  size_t at = 5;
  if (!integer_at(reply, at++, shadows) || shadows < 0 || shadows > core::Decision::kMaxShadow) {
    return std::nullopt;
  }
  for (int i = 0; i < shadows; ++i, at += 4) {
    core::LimitState state;
    bool present = false;
    if (!read_state(reply, at, policy, state, present) || !present) return std::nullopt;
    d.shadow.set(d.shadow_refusals++, state);
  }
  if (!integer_at(reply, at++, slots) || slots < 0 || slots > core::Lease::kMaxSlots) {
    return std::nullopt;
  }
  if (d.allowed) {
    d.lease.user = call.req.principal.user;
    d.lease.cost = call.req.cost;
    d.lease.id = call.lease_id;
  }
  for (int i = 0; i < slots; ++i) {
    int64_t index;
    if (!integer_at(reply, at++, index) || index < 0 || index >= policy.size) return std::nullopt;
    d.lease.blocks[d.lease.count++] =
        core::BlockKey::for_limit(policy.limits[index], call.req.principal);
  }
  // The calendar quotas, for warnings; absent from a library older than this node.
  int64_t calendars = 0;
  if (at < reply.elements.size() && (!integer_at(reply, at++, calendars) || calendars < 0 ||
                                     calendars > core::Decision::kMaxCalendar)) {
    return std::nullopt;
  }
  for (int i = 0; i < calendars; ++i, at += 4) {
    core::LimitState state;
    bool present = false;
    if (!read_state(reply, at, policy, state, present) || !present) return std::nullopt;
    d.calendar.set(d.calendar_count++, state);
  }
  return d;
}

std::vector<std::string> peek_argv(const core::RuleSet& rules,
                                   const std::vector<core::QuotaLine>& lines,
                                   const core::Principal& principal, int64_t wall_ms,
                                   std::optional<int64_t> now_ms,
                                   int64_t concurrency_retry_after_ms) {
  std::vector<std::string> keys;
  keys.reserve(lines.size());
  for (const core::QuotaLine& line : lines) {
    keys.push_back(counter_key(rules, line.state.limit, principal));
  }
  std::vector<std::string> argv = fcall("gaia_peek", std::move(keys));
  argv.push_back(time_arg(now_ms));
  argv.push_back(std::to_string(concurrency_retry_after_ms));
  for (const core::QuotaLine& line : lines) {
    push_limit(argv, rules.calendar(), line.state.limit, wall_ms);
  }
  return argv;
}

bool read_peek(const Reply& reply, std::vector<core::QuotaLine>& lines) {
  if (reply.kind != Reply::Kind::kArray || reply.elements.size() != 3 * lines.size()) {
    return false;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    int64_t used, retry, reset;
    if (!integer_at(reply, 3 * i, used) || !integer_at(reply, 3 * i + 1, retry) ||
        !integer_at(reply, 3 * i + 2, reset) || used < 0) {
      return false;
    }
    core::LimitState& state = lines[i].state;
    state.used = static_cast<uint32_t>(std::min<int64_t>(used, UINT32_MAX));
    state.remaining = state.used >= state.limit.amount ? 0 : state.limit.amount - state.used;
    state.retry_after_ms = retry;
    state.reset_ms = reset;
  }
  return true;
}

std::vector<std::string> renew_argv(const core::RuleSet& rules, const core::Lease& lease,
                                    int64_t ttl_ms, std::optional<int64_t> now_ms) {
  std::vector<std::string> keys;
  for (int i = 0; i < lease.count; ++i)
    keys.push_back(lease_key(rules, lease.user, lease.blocks[i]));
  std::vector<std::string> argv = fcall("gaia_renew", std::move(keys));
  argv.push_back(time_arg(now_ms));
  argv.push_back(std::to_string(lease.id));
  argv.push_back(std::to_string(lease.cost));
  argv.push_back(std::to_string(ttl_ms));
  return argv;
}

std::vector<std::string> release_argv(const core::RuleSet& rules, const core::Lease& lease) {
  std::vector<std::string> keys;
  for (int i = 0; i < lease.count; ++i)
    keys.push_back(lease_key(rules, lease.user, lease.blocks[i]));
  std::vector<std::string> argv = fcall("gaia_release", std::move(keys));
  argv.push_back(std::to_string(lease.id));
  argv.push_back(std::to_string(lease.cost));
  return argv;
}

std::optional<std::vector<std::string>> restore_argv(const core::RuleSet& rules,
                                                     const core::Policy& policy,
                                                     const core::CheckRequest& req, int64_t at_ms,
                                                     int64_t wall_ms,
                                                     std::optional<int64_t> now_ms) {
  std::vector<std::string> keys, ends;
  for (const core::CompiledLimit& limit : policy) {
    if (limit.kind != core::LimitKind::kCalendar) continue;
    const core::Period p = rules.calendar().period_at(limit.period, wall_ms);
    if (!p.contains(at_ms)) continue;
    keys.push_back(counter_key(rules, limit, req.principal));
    ends.push_back(std::to_string(p.end_ms));
  }
  if (keys.empty()) return std::nullopt;
  std::vector<std::string> argv = fcall("gaia_restore", std::move(keys));
  argv.push_back(time_arg(now_ms));
  argv.push_back(std::to_string(req.cost));
  for (std::string& end : ends) argv.push_back(std::move(end));
  return argv;
}

}  // namespace gaia::cluster::redis
