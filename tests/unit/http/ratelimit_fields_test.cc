#include "http/ratelimit_fields.h"

#include <gtest/gtest.h>

#include "http/json_text.h"

namespace gaia::http {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const core::RuleSet> rules_with_types(std::vector<std::string> names) {
  std::vector<core::CommandType> types;
  for (std::string& name : names) types.push_back({std::move(name), 10, 1000});
  auto set = core::RuleSet::compile({}, {std::move(types), core::Calendar::utc(), {}});
  EXPECT_TRUE(set.ok()) << set.status().message();
  return set.value();
}

core::LimitState day_of_type_0(uint32_t amount, uint32_t used) {
  core::LimitState state;
  state.limit = {.kind = core::LimitKind::kCalendar,
                 .period = core::CalendarPeriod::kDay,
                 .level = core::SubjectKind::kUser,
                 .type = 0,
                 .amount = amount};
  state.used = used;
  state.remaining = amount - used;
  state.reset_ms = 3'600'000;
  return state;
}

std::string members_text_of(const core::LimitState& state, const core::RuleSet& rules,
                            uint32_t quota) {
  std::string text;
  JsonWriter w(text);
  w.begin_object();
  limit_members(w, state, rules, quota);
  w.end_object();
  return text;
}

TEST(RateLimitFieldsTest, TheTextOfALimitIsTheTextOfItsTreeCheckAfterCheck) {
  auto rules = rules_with_types({"shell"});
  for (uint32_t used = 1; used <= 3; ++used) {
    const core::LimitState state = day_of_type_0(500, used);
    for (uint32_t quota : {500u, 1000u}) {
      EXPECT_EQ(members_text_of(state, *rules, quota),
                object_json_text(limit_json(state, *rules, quota)));
    }
  }
  const core::LimitState state = day_of_type_0(500, 3);
  EXPECT_EQ(members_text_of(state, *rules, 500),
            R"({"policy":"shell-day","type":"shell","kind":"calendar","period":"day",)"
            R"("enforcement":"enforce","limit":500,"used":3,"remaining":497,"reset_ms":3600000})");
  EXPECT_EQ(policy_field(state, *rules), R"("shell-day";q=500;w=86400)");
  EXPECT_EQ(policy_field(state, *rules, 1000), R"("shell-day";q=1000;w=86400)");
  EXPECT_EQ(ratelimit_field(state, *rules, false), R"("shell-day";r=497;t=3600)");
}

// What a thread made once for a limit is never the text of another rule set's limit, even
// one with the same id, amount and kind, nor of another amount or quota.
TEST(RateLimitFieldsTest, EachRuleSetNamesItsOwnTypesWhateverWasAnsweredBefore) {
  const core::LimitState state = day_of_type_0(500, 3);
  for (int round = 0; round < 3; ++round) {
    auto shell = rules_with_types({"shell"});
    auto code = rules_with_types({"code"});
    EXPECT_EQ(policy_field(state, *shell), R"("shell-day";q=500;w=86400)");
    EXPECT_EQ(policy_field(state, *code), R"("code-day";q=500;w=86400)");
    EXPECT_EQ(ratelimit_field(state, *shell, false), R"("shell-day";r=497;t=3600)");
    EXPECT_EQ(ratelimit_field(state, *code, false), R"("code-day";r=497;t=3600)");
    EXPECT_NE(members_text_of(state, *code, 500).find(R"("type":"code")"), std::string::npos);
  }
  auto rules = rules_with_types({"shell"});
  core::LimitState rate = state;
  rate.limit.kind = core::LimitKind::kRate;
  rate.limit.window_ms = 60'000;
  EXPECT_EQ(policy_field(rate, *rules), R"("shell-rate-60s";q=500;w=60)");
  rate.limit.window_ms = 90'000;
  EXPECT_EQ(policy_field(rate, *rules), R"("shell-rate-90s";q=500;w=90)");
  rate.limit.amount = 600;
  EXPECT_EQ(policy_field(rate, *rules), R"("shell-rate-90s";q=600;w=90)");
  rate.limit.enforcement = core::Enforcement::kShadow;
  EXPECT_NE(members_text_of(rate, *rules, 600).find(R"("enforcement":"shadow")"),
            std::string::npos);
}

}  // namespace
}  // namespace gaia::http
