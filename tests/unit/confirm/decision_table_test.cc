// THE TABLE (decision_table.h) against the default patterns, and its copy in docs/confirm.md.

#include "decision_table.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "confirm/default_patterns.h"
#include "confirm/policy.h"

namespace gaia::confirm {
namespace {

using testing::kDecisionTable;
using testing::TableRow;

std::string describe(const Decision& d) {
  std::string out = std::string(verdict_name(d.decision)) + " (" +
                    std::string(source_name(d.source)) + ", " + d.pattern_id.value_or("-") + ": " +
                    d.reason + ")";
  for (const PartDecision& p : d.parts) {
    out += "\n  [" + std::string(part_kind_name(p.kind)) + "] " + p.text + " -> " +
           (p.decision ? std::string(verdict_name(*p.decision)) : "no match");
  }
  return out;
}

// The row as docs/confirm.md writes it: | `command` | decision | why |
std::string markdown_row(const TableRow& row) {
  std::string cmd;
  for (char c : row.command) {
    if (c == '|') cmd += '\\';
    cmd += c;
  }
  std::string code =
      row.command.find('`') == std::string_view::npos ? "`" + cmd + "`" : "`` " + cmd + " ``";
  return "| " + code + " | " + std::string(verdict_name(row.expected)) + " | " +
         std::string(row.why) + " |";
}

TEST(DecisionTableTest, HasAtLeastFortyRows) { EXPECT_GE(std::size(kDecisionTable), 40u); }

TEST(DecisionTableTest, DefaultPatternsDecideEveryRowAsListed) {
  auto set = PatternSet::make(default_patterns());
  ASSERT_TRUE(set.ok()) << set.status().message();
  for (const TableRow& row : kDecisionTable) {
    Decision d = set->decide(row.command, Context{});
    EXPECT_EQ(d.decision, row.expected) << row.command << "\n" << describe(d);
  }
}

TEST(DecisionTableTest, DocumentationShowsEveryRow) {
  std::ifstream in(GAIA_CONFIRM_DOC);
  ASSERT_TRUE(in) << "cannot read " << GAIA_CONFIRM_DOC;
  std::stringstream doc;
  doc << in.rdbuf();
  for (const TableRow& row : kDecisionTable) {
    std::string line = markdown_row(row);
    EXPECT_NE(doc.str().find(line + "\n"), std::string::npos) << "missing in docs: " << line;
  }
}

}  // namespace
}  // namespace gaia::confirm
