#pragma once
// Small builders for core tests.

#include <gtest/gtest.h>

#include "core/limiter.h"

namespace gaia::testing {

inline core::Rule rule_for(core::Subject subject, std::optional<std::string> type,
                           std::vector<core::LimitSpec> limits,
                           core::Enforcement enforcement = core::Enforcement::kEnforce) {
  static uint64_t next_id = 100;
  core::Rule rule;
  rule.id = next_id++;
  rule.subject = subject;
  rule.command_type = std::move(type);
  rule.limits = std::move(limits);
  rule.enforcement = enforcement;
  return rule;
}

inline std::shared_ptr<const core::RuleSet> compile_or_die(
    std::vector<core::Rule> rules, core::Calendar calendar = core::Calendar::utc()) {
  core::RuleSetOptions options{core::default_command_types(), calendar, {}};
  auto set = core::RuleSet::compile(std::move(rules), std::move(options));
  EXPECT_TRUE(set.ok()) << set.status().message();
  return set.value();
}

inline constexpr core::Subject kGlobal{};
inline core::Subject user_subject(uint64_t id) { return {core::SubjectKind::kUser, {}, id}; }
inline core::Subject key_subject(uint64_t id) { return {core::SubjectKind::kKey, {}, id}; }
inline core::Subject tier_subject(core::Tier tier) { return {core::SubjectKind::kTier, tier, 0}; }

inline constexpr core::CommandTypeId kShell = 0;
inline constexpr core::CommandTypeId kCode = 1;

}  // namespace gaia::testing
