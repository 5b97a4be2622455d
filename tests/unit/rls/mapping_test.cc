#include "rls/mapping.h"

#include <gtest/gtest.h>

namespace gaia::rls {
namespace {

std::vector<Domain> domains_of(std::string_view text) {
  auto parsed = parse_domains(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed.value() : std::vector<Domain>{};
}

Ask ask_or_die(const Domain& domain, std::vector<Entry> entries) {
  auto ask = ask_of(domain, entries);
  EXPECT_TRUE(std::holds_alternative<Ask>(ask)) << std::get<core::FieldError>(ask).field;
  return std::holds_alternative<Ask>(ask) ? std::get<Ask>(ask) : Ask{};
}

core::FieldError problem_of(const Domain& domain, std::vector<Entry> entries) {
  auto ask = ask_of(domain, entries);
  EXPECT_TRUE(std::holds_alternative<core::FieldError>(ask));
  return std::holds_alternative<core::FieldError>(ask) ? std::get<core::FieldError>(ask)
                                                       : core::FieldError{};
}

TEST(MappingTest, ParsesDomainsAndTheirTypeRules) {
  auto domains = domains_of(" gaia ; edge: generic_key=shell, path:/v1/a:b=test ");
  ASSERT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains[0].name, "gaia");
  EXPECT_TRUE(domains[0].type_rules.empty());
  const Domain* edge = find_domain(domains, "edge");
  ASSERT_NE(edge, nullptr);
  ASSERT_EQ(edge->type_rules.size(), 2u);
  EXPECT_EQ(edge->type_rules[0].key, "generic_key");
  EXPECT_FALSE(edge->type_rules[0].value.has_value());
  EXPECT_EQ(edge->type_rules[1].key, "path");
  EXPECT_EQ(edge->type_rules[1].value, "/v1/a:b");
  EXPECT_EQ(edge->type_rules[1].type, "test");
  EXPECT_EQ(find_domain(domains, "other"), nullptr);
}

TEST(MappingTest, RefusesMalformedDomains) {
  for (std::string_view text :
       {"", "gaia;", "gaia; gaia", "bad name", "edge: generic_key", "edge: path:=shell",
        "edge: path:a=b=shell", "edge: api_key=shell", "edge: k=two words"}) {
    EXPECT_FALSE(parse_domains(text).ok()) << text;
  }
}

TEST(MappingTest, AnApiKeyAndATypeMakeTheAsk) {
  Domain gaia{"gaia", {}};
  Ask ask = ask_or_die(gaia, {{"type", "shell"}, {"api_key", "Bearer k-123"}});
  EXPECT_EQ(ask.kind, PrincipalKind::kApiKey);
  EXPECT_EQ(ask.principal, "k-123");  // as Envoy copies it from an Authorization header
  EXPECT_EQ(ask.type, "shell");
  EXPECT_EQ(ask.principal_entry, 1u);
  EXPECT_EQ(ask.type_entry, 0u);
  EXPECT_EQ(ask_or_die(gaia, {{"user", "alice"}, {"type", "code"}}).kind, PrincipalKind::kUser);
  // The scheme is named in any case, with one space or more (RFC 9110 section 11.1).
  for (const char* header : {"bearer k-123", "BEARER  k-123", "k-123"}) {
    EXPECT_EQ(ask_or_die(gaia, {{"type", "shell"}, {"api_key", header}}).principal, "k-123")
        << header;
  }
}

TEST(MappingTest, ATypeEntryWinsOverRulesAndTheFirstRuleWinsOverLaterOnes) {
  auto domains = domains_of("edge: path:/build=test, generic_key=shell");
  const Domain& edge = domains[0];
  EXPECT_EQ(ask_or_die(edge, {{"api_key", "k"}, {"generic_key", "x"}, {"path", "/build"}}).type,
            "test");
  EXPECT_EQ(ask_or_die(edge, {{"api_key", "k"}, {"path", "/other"}, {"generic_key", "x"}}).type,
            "shell");
  EXPECT_EQ(ask_or_die(edge, {{"api_key", "k"}, {"generic_key", "x"}, {"type", "code"}}).type,
            "code");
}

TEST(MappingTest, ProblemsNameTheEntry) {
  Domain gaia{"gaia", {}};
  EXPECT_EQ(problem_of(gaia, {{"type", "shell"}}).field, "entries");
  EXPECT_EQ(problem_of(gaia, {{"api_key", "k"}}).field, "entries");
  EXPECT_EQ(problem_of(gaia, {{"api_key", "k"}, {"user", "u"}, {"type", "t"}}).field,
            "entries[1].key");
  EXPECT_EQ(problem_of(gaia, {{"api_key", ""}, {"type", "t"}}).field, "entries[0].value");
  EXPECT_EQ(problem_of(gaia, {{"api_key", "Bearer "}, {"type", "t"}}).field, "entries[0].value");
  EXPECT_EQ(problem_of(gaia, {{"api_key", "k"}, {"type", "t"}, {"type", "u"}}).field,
            "entries[2].key");
  EXPECT_EQ(problem_of(gaia, {{"", "v"}, {"api_key", "k"}, {"type", "t"}}).field, "entries[0].key");
}

TEST(MappingTest, TextThatIsNotUtf8OrHoldsANulIsRefusedNamingTheEntry) {
  Domain gaia{"gaia", {}};
  using namespace std::string_literals;
  core::FieldError nul = problem_of(gaia, {{"api_key", "k"}, {"type", "sh\0ell"s}});
  EXPECT_EQ(nul.field, "entries[1].value");
  EXPECT_EQ(nul.message, "contains a NUL byte");
  EXPECT_EQ(problem_of(gaia, {{"api_key", "k\xff"}, {"type", "t"}}).field, "entries[0].value");
  EXPECT_EQ(problem_of(gaia, {{"api_key", "k"}, {"type", "t"}, {"route\xc0\xaf", "v"}}).field,
            "entries[2].key");
}

}  // namespace
}  // namespace gaia::rls
