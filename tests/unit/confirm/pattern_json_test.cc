#include "confirm/pattern_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace gaia::confirm {
namespace {

namespace json = boost::json;
using ::testing::StartsWith;

json::value parse(std::string_view text) { return json::parse(text); }

std::string error_of(std::string_view text) {
  auto r = pattern_from_json(parse(text));
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(PatternJsonTest, ReadsAFullPattern) {
  auto r = pattern_from_json(parse(R"({"id":"deny-mkfs","name":"mkfs","match":"regex",
      "pattern":"^mkfs","decision":"deny","priority":1000,"enabled":false,"reason":"formats",
      "scope":{"command_type":"shell","user":"ann","tier":"premium"}})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->id, "deny-mkfs");
  EXPECT_EQ(r->match, MatchKind::kRegex);
  EXPECT_EQ(r->decision, Verdict::kDeny);
  EXPECT_EQ(r->priority, 1000);
  EXPECT_FALSE(r->enabled);
  EXPECT_EQ(r->reason, "formats");
  EXPECT_EQ(r->scope.command_type, "shell");
  EXPECT_EQ(r->scope.user, "ann");
  EXPECT_EQ(r->scope.tier, core::Tier::kPremium);
}

TEST(PatternJsonTest, OptionalFieldsTakeTheirDefaults) {
  auto r = pattern_from_json(
      parse(R"({"id":"a","name":"n","match":"glob","pattern":"ls *","decision":"approve"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->priority, 0);
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->reason, "");
  EXPECT_FALSE(r->scope.command_type || r->scope.user || r->scope.tier);
}

TEST(PatternJsonTest, RoundTrips) {
  PatternSpec spec{.id = "x",
                   .name = "n",
                   .match = MatchKind::kPrefix,
                   .pattern = "git push",
                   .decision = Verdict::kAsk,
                   .priority = -3,
                   .scope = {},
                   .enabled = true,
                   .reason = "r"};
  spec.scope.user = "bob";
  auto back = pattern_from_json(pattern_to_json(spec));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, spec.id);
  EXPECT_EQ(back->match, spec.match);
  EXPECT_EQ(back->pattern, spec.pattern);
  EXPECT_EQ(back->priority, spec.priority);
  EXPECT_EQ(back->scope.user, "bob");
  EXPECT_FALSE(back->scope.tier);
}

TEST(PatternJsonTest, ErrorsNameTheField) {
  const char* base = R"("name":"n","match":"regex","pattern":"x","decision":"deny")";
  EXPECT_THAT(error_of(std::string("{") + base + "}"), StartsWith("id: is required"));
  EXPECT_THAT(error_of(R"({"id":5,"name":"n","match":"regex","pattern":"x","decision":"deny"})"),
              StartsWith("id: must be a string"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"re","pattern":"x","decision":"deny"})"),
              StartsWith("match: must be one of regex, glob, prefix"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"no"})"),
              StartsWith("decision: must be one of approve, deny, ask"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "priority":"1"})"),
              StartsWith("priority: must be an integer"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "priority":1.5})"),
              StartsWith("priority: must be an integer"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "priority":18446744073709551615})"),
              StartsWith("priority: must be between"));
  // A whole number as a double past int64's range is refused, not converted.
  for (const char* huge : {"1e300", "-1e300", "1e16", "9.3e18"}) {
    EXPECT_THAT(error_of(std::string(R"({"id":"a","name":"n","match":"regex","pattern":"x",)") +
                         R"("decision":"ask","priority":)" + huge + "}"),
                StartsWith("priority: must be an integer"));
  }
  auto whole = pattern_from_json(parse(R"({"id":"a","name":"n","match":"regex","pattern":"x",
      "decision":"ask","priority":7.0})"));
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  EXPECT_EQ(whole->priority, 7);
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "enabled":"yes"})"),
              StartsWith("enabled: must be true or false"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "scope":{"tier":"gold"}})"),
              StartsWith("scope.tier: must be one of"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "scope":{"users":"x"}})"),
              StartsWith("scope.users: unknown field"));
  EXPECT_THAT(error_of(R"({"id":"a","name":"n","match":"regex","pattern":"x","decision":"ask",
                           "priorty":3})"),
              StartsWith("priorty: unknown field"));
  EXPECT_THAT(error_of("[1]"), StartsWith("pattern must be a JSON object"));
}

TEST(PatternJsonTest, DecisionAsJson) {
  Decision d;
  d.decision = Verdict::kDeny;
  d.reason = "r";
  d.source = Source::kPattern;
  d.pattern_id = "p";
  d.parts.push_back({.text = "rm -rf /",
                     .kind = PartKind::kCommand,
                     .decision = Verdict::kDeny,
                     .pattern_id = "p"});
  d.parts.push_back({.text = "ls", .kind = PartKind::kCommand, .decision = {}, .pattern_id = {}});
  EXPECT_EQ(
      json::serialize(decision_to_json(d)),
      R"({"decision":"deny","reason":"r","source":"pattern","pattern_id":"p",)"
      R"("unmatched":false,"parts":[{"text":"rm -rf /","kind":"command","decision":"deny",)"
      R"("pattern_id":"p"},{"text":"ls","kind":"command","decision":null,"pattern_id":null}]})");
}

}  // namespace
}  // namespace gaia::confirm
