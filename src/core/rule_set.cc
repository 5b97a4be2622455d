#include "core/rule_set.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "core/limit_name.h"
#include "core/process_serial.h"

namespace gaia::core {
namespace {

constexpr int64_t kMaxWindowMs = int64_t{1} << 40;  // about 35 years
constexpr size_t kMaxLimitsPerRule = 8;

std::string field(size_t rule, std::string_view rest) {
  return "rules[" + std::to_string(rule) + "]" + std::string(rest);
}

uint32_t scaled(uint32_t amount, uint32_t factor) {
  uint64_t v = uint64_t{amount} * factor;
  return static_cast<uint32_t>(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max()));
}

}  // namespace

Result<std::shared_ptr<const RuleSet>> RuleSet::compile(std::vector<Rule> rules,
                                                        RuleSetOptions options) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->options_ = std::move(options);
  if (set->options_.command_types.size() >= kAnyType) {
    return Status::invalid_argument("command_types: too many");
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    if (Status s = set->add(rules[i], i); !s.ok()) return s;
  }
  if (Status s = set->build_base_policies(); !s.ok()) return s;
  if (Status s = set->check_capacity(rules); !s.ok()) return s;
  set->has_overrides_ = !set->user_.empty() || !set->key_.empty();
  set->name_limits();
  set->serial_ = next_process_serial();
  set->rules_ = std::move(rules);
  return std::shared_ptr<const RuleSet>(std::move(set));
}

void RuleSet::name_limits() {
  auto name = [this](const std::vector<CompiledLimit>& limits) {
    for (const CompiledLimit& limit : limits) {
      const uint64_t key = policy_name_key(limit);
      if (!policy_names_.contains(key)) policy_names_.emplace(key, make_policy_name(limit, *this));
    }
  };
  name(global_);
  for (const auto& limits : tier_) name(limits);
  for (const auto& [user, limits] : user_) name(limits);
  for (const auto& [key, limits] : key_) name(limits);
}

const std::string* RuleSet::policy_name_of(const CompiledLimit& limit) const {
  auto it = policy_names_.find(policy_name_key(limit));
  return it == policy_names_.end() ? nullptr : &it->second;
}

std::optional<CommandTypeId> RuleSet::type_id(std::string_view name) const {
  const auto& types = options_.command_types;
  for (size_t i = 0; i < types.size(); ++i) {
    if (!types[i].retired && types[i].name == name) return static_cast<CommandTypeId>(i);
  }
  return std::nullopt;
}

Status RuleSet::add(const Rule& rule, size_t index) {
  CommandTypeId type = kAnyType;
  if (rule.command_type) {
    auto id = type_id(*rule.command_type);
    if (!id)
      return Status::invalid_argument(field(index, ".command_type: unknown type \"") +
                                      *rule.command_type + "\"");
    type = *id;
  }
  if ((rule.subject.kind == SubjectKind::kUser || rule.subject.kind == SubjectKind::kKey) &&
      rule.subject.id == 0) {
    return Status::invalid_argument(field(index, ".subject.id: required for a user or key rule"));
  }
  if (rule.limits.empty()) return Status::invalid_argument(field(index, ".limits: empty"));
  if (rule.limits.size() > kMaxLimitsPerRule) {
    return Status::invalid_argument(field(index, ".limits: at most 8 limits per rule"));
  }

  if (rule.warn_at_pct) {
    const std::vector<uint8_t>& warn = *rule.warn_at_pct;
    if (warn.size() > static_cast<size_t>(kMaxWarnThresholds)) {
      return Status::invalid_argument(field(index, ".warn_at: at most 4 thresholds"));
    }
    for (size_t j = 0; j < warn.size(); ++j) {
      if (warn[j] < 1 || warn[j] > 100 || (j > 0 && warn[j] <= warn[j - 1])) {
        return Status::invalid_argument(field(
            index, ".warn_at[" + std::to_string(j) + "]: percentages from 1 to 100, ascending"));
      }
    }
  }

  std::vector<CompiledLimit>* target = &global_;
  switch (rule.subject.kind) {
    case SubjectKind::kGlobal:
      break;
    case SubjectKind::kTier:
      target = &tier_[static_cast<int>(rule.subject.tier)];
      break;
    case SubjectKind::kUser:
      target = &user_[rule.subject.id];
      break;
    case SubjectKind::kKey:
      target = &key_[rule.subject.id];
      break;
  }

  for (size_t j = 0; j < rule.limits.size(); ++j) {
    const LimitSpec& spec = rule.limits[j];
    std::string where = ".limits[" + std::to_string(j) + "]";
    if (spec.amount > std::numeric_limits<uint32_t>::max()) {
      return Status::invalid_argument(field(index, where + ".amount: at most 4294967295"));
    }
    CompiledLimit limit;
    limit.kind = spec.kind;
    limit.period = spec.kind == LimitKind::kCalendar ? spec.period : CalendarPeriod::kDay;
    limit.enforcement = rule.enforcement;
    limit.level = rule.subject.kind;
    limit.type = type;
    limit.amount = static_cast<uint32_t>(spec.amount);
    limit.rule_id = rule.id;
    limit.outage = rule.outage;
    if (rule.warn_at_pct) {
      limit.warn_pct = {};
      std::copy(rule.warn_at_pct->begin(), rule.warn_at_pct->end(), limit.warn_pct.begin());
    }
    if (spec.kind == LimitKind::kRate) {
      limit.window_ms = spec.window.count();
      if (limit.window_ms < 1) {
        return Status::invalid_argument(field(index, where + ".window_ms: must be at least 1"));
      }
      if (limit.window_ms > kMaxWindowMs) {
        return Status::invalid_argument(field(index, where + ".window_ms: too long"));
      }
    }
    if (limit.enforcement == Enforcement::kEnforce) {
      for (const CompiledLimit& other : *target) {
        if (other.enforcement == Enforcement::kEnforce && other.type == type &&
            other.same_slot(limit)) {
          return Status::invalid_argument(
              field(index, where + ": the same limit is already set for this subject and type"));
        }
      }
    }
    target->push_back(limit);
  }
  return Status();
}

Status RuleSet::build_base_policies() {
  auto too_many = [this](Tier tier, size_t type, const char* rules) {
    return Status::invalid_argument("rules: the " + std::string(rules) + " rules put more than " +
                                    std::to_string(kMaxLimitsPerPolicy) + " limits on type \"" +
                                    options_.command_types[type].name + "\" in tier " +
                                    std::string(tier_name(tier)));
  };
  const size_t type_count = options_.command_types.size();
  for (int t = 0; t < kTierCount; ++t) {
    Tier tier = static_cast<Tier>(t);
    base_[t].assign(type_count, Policy{});
    for (size_t type = 0; type < type_count; ++type) {
      Policy& policy = base_[t][type];
      bool unlimited = tier == Tier::kEnterprise && options_.tiers.enterprise_unlimited;
      for (CompiledLimit limit : global_) {
        if (unlimited || !limit.applies_to(static_cast<CommandTypeId>(type))) continue;
        if (tier == Tier::kPremium && limit.kind != LimitKind::kConcurrency) {
          limit.amount = scaled(limit.amount, options_.tiers.premium_factor);
        }
        if (!policy.merge(limit)) return too_many(tier, type, "global");
      }
      for (const CompiledLimit& limit : tier_[t]) {
        if (!limit.applies_to(static_cast<CommandTypeId>(type))) continue;
        if (!policy.merge(limit)) return too_many(tier, type, "global and tier");
      }
    }
  }
  return Status();
}

Status RuleSet::check_capacity(const std::vector<Rule>& rules) const {
  // The last rule of each user and key: what an error names, as the one that tipped it over
  // (a rule being written comes last).
  boost::unordered_flat_map<UserId, size_t> last_user_rule;
  boost::unordered_flat_map<KeyId, size_t> last_key_rule;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].subject.kind == SubjectKind::kUser) last_user_rule[rules[i].subject.id] = i;
    if (rules[i].subject.kind == SubjectKind::kKey) last_key_rule[rules[i].subject.id] = i;
  }
  for (size_t t = 0; t < options_.command_types.size(); ++t) {
    const auto type = static_cast<CommandTypeId>(t);
    // A key's limits come on top of its user's. The rule set does not know which user owns
    // a key, so every key is weighed with the user who has the most limits of the type.
    int key_most = 0;
    KeyId key_at_most = 0;
    for (const auto& [key, limits] : key_) {
      const auto n =
          static_cast<int>(std::count_if(limits.begin(), limits.end(), [&](const CompiledLimit& l) {
            return l.applies_to(type);
          }));
      if (n > key_most) {
        key_most = n;
        key_at_most = key;
      }
    }
    for (int tier = 0; tier < kTierCount; ++tier) {
      const Policy& base = base_[tier][t];
      int user_most = base.size;
      std::optional<UserId> user_at_most;
      for (const auto& [user, limits] : user_) {
        Policy merged = base;
        int past_full = 0;  // limits a full policy could not take
        for (const CompiledLimit& l : limits) {
          if (l.applies_to(type) && !merged.merge(l)) ++past_full;
        }
        if (merged.size + past_full > user_most) {
          user_most = merged.size + past_full;
          user_at_most = user;
        }
      }
      if (user_most + key_most <= kMaxLimitsPerPolicy) continue;
      size_t culprit = 0;
      if (user_at_most) culprit = last_user_rule[*user_at_most];
      if (key_most > 0 && (!user_at_most || last_key_rule[key_at_most] > culprit)) {
        culprit = last_key_rule[key_at_most];
      }
      std::string parts = std::to_string(user_most) + " for " +
                          (user_at_most ? "user " + std::to_string(*user_at_most) : "every user");
      if (key_most > 0) parts += ", " + std::to_string(key_most) + " more for a key";
      return Status::invalid_argument(
          field(culprit, ".limits: ") + std::to_string(user_most + key_most) +
          " limits would apply to type \"" + options_.command_types[t].name + "\" in tier " +
          std::string(tier_name(static_cast<Tier>(tier))) + " (" + parts + "), more than the " +
          std::to_string(kMaxLimitsPerPolicy) + " a policy holds");
    }
  }
  return Status();
}

const Policy& RuleSet::resolve_general(const Principal& principal, CommandTypeId type,
                                       Policy& scratch) const {
  const Policy& merged = resolve_unscaled(principal, type, scratch);
  uint32_t scale = principal.limit_scale;
  if (principal.tier == Tier::kEnterprise) scale = std::min<uint32_t>(scale, kFullScale);
  if (scale == kFullScale) return merged;
  if (&merged != &scratch) scratch = merged;
  for (int i = 0; i < scratch.size; ++i) {
    CompiledLimit& limit = scratch.limits[i];
    if (limit.kind == LimitKind::kConcurrency) continue;
    const uint64_t scaled = uint64_t{limit.amount} * scale / kFullScale;
    limit.amount =
        static_cast<uint32_t>(std::clamp<uint64_t>(scaled, limit.amount == 0 ? 0 : 1, UINT32_MAX));
  }
  return scratch;
}

uint32_t RuleSet::stated_amount(const Principal& principal, CommandTypeId type,
                                const CompiledLimit& limit) const {
  if (principal.limit_scale == kFullScale || limit.kind == LimitKind::kConcurrency) {
    return limit.amount;
  }
  Policy scratch;
  for (const CompiledLimit& stated : resolve_unscaled(principal, type, scratch)) {
    if (stated.same_slot(limit) && stated.level == limit.level && stated.rule_id == limit.rule_id &&
        stated.type == limit.type && stated.enforcement == limit.enforcement) {
      return stated.amount;
    }
  }
  return limit.amount;
}

const Policy& RuleSet::resolve_unscaled(const Principal& principal, CommandTypeId type,
                                        Policy& scratch) const {
  const Policy& base = base_[static_cast<int>(principal.tier)][type];
  if (user_.empty() && key_.empty()) return base;  // no overrides at all: skip two probes
  auto user_it = user_.find(principal.user);
  auto key_it = key_.find(principal.key);
  if (user_it == user_.end() && key_it == key_.end()) return base;
  scratch = base;
  // compile() refused every rule set in which these could overflow (check_capacity).
  if (user_it != user_.end()) {
    for (const CompiledLimit& limit : user_it->second) {
      if (limit.applies_to(type)) {
        [[maybe_unused]] const bool fits = scratch.merge(limit);
        assert(fits);
      }
    }
  }
  // A key narrows, never widens: its limits count beside its user's, even in the same slot,
  // so the key's use also counts against every limit of its user.
  if (key_it != key_.end()) {
    for (const CompiledLimit& limit : key_it->second) {
      if (limit.applies_to(type)) {
        [[maybe_unused]] const bool fits = scratch.append(limit);
        assert(fits);
      }
    }
  }
  return scratch;
}

std::vector<CommandType> default_command_types() {
  constexpr uint64_t kMB = 1000 * 1000;
  return {{"shell", 10, 100 * kMB},
          {"code", 15, 200 * kMB},
          {"test", 5, 50 * kMB},
          {"review", 20, 300 * kMB},
          {"refactor", 20, 300 * kMB}};
}

std::vector<Rule> default_rules() {
  struct Row {
    const char* type;
    uint64_t daily, weekly, monthly;
  };
  constexpr Row kTable[] = {{"shell", 500, 3000, 10000},
                            {"code", 300, 1500, 5000},
                            {"test", 1000, 5000, 20000},
                            {"review", 200, 1000, 3000},
                            {"refactor", 200, 1000, 3000}};
  std::vector<Rule> rules;
  uint64_t id = 1;
  for (const Row& row : kTable) {
    Rule rule;
    rule.id = id++;
    rule.name = std::string("default-") + row.type;
    rule.command_type = row.type;
    rule.limits = {LimitSpec::calendar(row.daily, CalendarPeriod::kDay),
                   LimitSpec::calendar(row.weekly, CalendarPeriod::kWeek),
                   LimitSpec::calendar(row.monthly, CalendarPeriod::kMonth)};
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace gaia::core
