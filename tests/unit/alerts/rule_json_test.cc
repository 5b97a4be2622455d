// Alert rules read from and written to JSON: defaults, every field, and each refusal naming
// its field.

#include "alerts/rule_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts/default_rules.h"
#include "alerts/metric_source.h"

namespace gaia::alerts {
namespace {

core::Result<AlertRule> parse(std::string_view text) {
  return rule_from_json(boost::json::parse(text));
}

std::string field_of(std::string_view text) {
  auto rule = parse(text);
  EXPECT_FALSE(rule.ok()) << text;
  if (rule.ok()) return "";
  const std::string& m = rule.status().message();
  return m.substr(0, m.find(':'));
}

TEST(AlertRuleJsonTest, ReadsTheShortestRuleWithDefaults) {
  auto rule = parse(R"({"name":"n","metric":"cpu_pct","condition":">","threshold":90})");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  EXPECT_EQ(rule->scope.kind, ScopeKind::kGlobal);
  EXPECT_EQ(rule->severity, Severity::kWarning);
  EXPECT_EQ(rule->for_duration, std::chrono::seconds(0));
  EXPECT_EQ(rule->cooldown, std::chrono::seconds(300));
  EXPECT_EQ(rule->channels, (std::vector<std::string>{"websocket", "log"}));
  EXPECT_TRUE(rule->enabled);
}

TEST(AlertRuleJsonTest, RoundTripsEveryField) {
  auto rule = parse(
      R"({"name":"Storm","metric":"violation_rate","condition":"<=","threshold":2.5,"for":60,
          "scope":"user","user":"ann","severity":"critical","cooldown":0,
          "channels":["webhook","log","webhook"],"enabled":false})");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  EXPECT_EQ(rule->condition, Condition::kLessEqual);
  EXPECT_EQ(rule->scope.value, "ann");
  EXPECT_EQ(rule->channels, (std::vector<std::string>{"webhook", "log"}));
  rule->id = 9;
  boost::json::object o = rule_to_json(rule.value());
  EXPECT_EQ(o.at("id").as_uint64(), 9u);
  EXPECT_EQ(o.at("for").as_int64(), 60);
  EXPECT_EQ(o.at("user").as_string(), "ann");
  auto again = rule_from_json(o);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(rule_to_json(again.value()).at("threshold").as_double(), 2.5);
  EXPECT_FALSE(again->enabled);
}

TEST(AlertRuleJsonTest, RefusalsNameTheField) {
  const std::string base = R"("name":"n","metric":"cpu_pct","condition":">","threshold":1)";
  EXPECT_EQ(field_of(R"({"metric":"cpu_pct","condition":">","threshold":1})"), "name");
  EXPECT_EQ(field_of(R"({"name":"n","metric":"nope","condition":">","threshold":1})"), "metric");
  EXPECT_EQ(field_of(R"({"name":"n","metric":"cpu_pct","condition":"==","threshold":1})"),
            "condition");
  EXPECT_EQ(field_of(R"({"name":"n","metric":"cpu_pct","condition":">","threshold":"x"})"),
            "threshold");
  EXPECT_EQ(field_of("{" + base + R"(,"for":-1})"), "for");
  EXPECT_EQ(field_of("{" + base + R"(,"cooldown":1.5})"), "cooldown");
  EXPECT_EQ(field_of("{" + base + R"(,"scope":"user"})"), "scope");  // no per-user CPU
  EXPECT_EQ(field_of("{" + base + R"(,"scope":"galaxy"})"), "scope");
  EXPECT_EQ(field_of("{" + base + R"(,"severity":"loud"})"), "severity");
  EXPECT_EQ(field_of("{" + base + R"(,"channels":["pager"]})"), "channels");
  EXPECT_EQ(field_of("{" + base + R"(,"enabled":"yes"})"), "enabled");
  EXPECT_EQ(field_of("{" + base + R"(,"treshold":1})"), "treshold");
  EXPECT_EQ(field_of(R"({"name":"n","metric":"violation_rate","condition":">","threshold":1,
                         "scope":"type","user":"ann"})"),
            "user");
  EXPECT_EQ(field_of("[1]"), "body");
}

TEST(AlertRuleJsonTest, DefaultRulesAreValidAndSurviveJson) {
  const std::vector<AlertRule> rules = default_rules();
  EXPECT_GE(rules.size(), 10u);
  for (const AlertRule& r : rules) {
    auto again = rule_from_json(rule_to_json(r));
    ASSERT_TRUE(again.ok()) << r.name << ": " << again.status().message();
    EXPECT_EQ(again->name, r.name);
    const MetricInfo* m = find_metric(r.metric);
    ASSERT_NE(m, nullptr) << r.metric;
    EXPECT_TRUE(metric_has_scope(*m, r.scope.kind)) << r.name;
  }
}

}  // namespace
}  // namespace gaia::alerts
