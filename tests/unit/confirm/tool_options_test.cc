// The option table: every forbidden option of every tool is found however it is spelled
// (alone, --opt=value, abbreviated, joined with other short options), harmless options are
// not, and an approving pattern, the defaults' or an admin's, never approves a forbidden use.

#include "confirm/tool_options.h"

#include <gtest/gtest.h>

#include "confirm/default_patterns.h"
#include "confirm/policy.h"
#include "confirm/shell_split.h"

namespace gaia::confirm {
namespace {

std::optional<ForbiddenUse> use_in(const std::string& command) {
  auto parts = split_command(command);
  EXPECT_TRUE(parts.ok()) << command;
  if (!parts.ok() || parts->empty()) return std::nullopt;
  return find_forbidden_use(parts->front().argv, false);
}

// A command that uses `row.option`: find's words and git's options in their places.
std::string command_using(const ToolOptionRow& row) {
  const std::string tool(row.tool);
  const std::string option(row.option);
  if (tool == "git") {
    const bool global = option == "-c" || option == "--config-env" || option == "--exec-path";
    return global ? "git " + option + " x=y log" : "git log " + option + " x";
  }
  return tool + " " + option + " x y";
}

TEST(ToolOptionsTest, EveryForbiddenOptionOfEveryToolIsFound) {
  const std::vector<ToolOptionRow> rows = tool_option_rows();
  ASSERT_GT(rows.size(), 60u);
  for (const ToolOptionRow& row : rows) {
    const std::string command = command_using(row);
    auto use = use_in(command);
    ASSERT_TRUE(use) << command;
    EXPECT_EQ(use->option, row.option) << command;
    EXPECT_EQ(use->effect, row.effect) << command;
  }
}

TEST(ToolOptionsTest, LongOptionsAreFoundWithValuesAndAbbreviated) {
  for (const char* command :
       {"rg --pre=./x foo", "rg --pre ./x foo", "rg --hostname-bin=./x foo",
        "git diff --output=/tmp/o", "git diff --out=/tmp/o", "git diff --outp /tmp/o",
        "git show --ext-diff HEAD", "git log --ext HEAD", "date --set=2020-01-01",
        "date --se 2020-01-01", "sort --output=o in", "sort --compress-prog=sh in",
        "tar --to-command=sh -tf a.tar", "man --pager=sh ls"}) {
    EXPECT_TRUE(use_in(command)) << command;
  }
}

TEST(ToolOptionsTest, ShortOptionsAreFoundJoinedWithOthers) {
  for (const char* command : {"date -us 2020-01-01", "date -us2020", "sort -uo out in",
                              "sed -ni s/a/b/ f", "tar xzf a.tgz", "tar -tvxf a.tar",
                              "less -So log f", "man -aP sh ls", "awk -vx=1 -f p f"}) {
    EXPECT_TRUE(use_in(command)) << command;
  }
}

TEST(ToolOptionsTest, OperandsThatActAreFound) {
  for (const char* command :
       {"date 010100002030", "date -u 0101", "sed 's/a/b/w out' f", "sed -e '1e id' f",
        "awk 'BEGIN{system(\"id\")}'", "awk '{print > \"o\"}' f", "less +!id f"}) {
    EXPECT_TRUE(use_in(command)) << command;
  }
}

TEST(ToolOptionsTest, HarmlessOptionsAndOperandsAreNotFound) {
  for (const char* command : {"rg --pretty foo",
                              "rg -e --pre foo",
                              "rg -- --pre",
                              "rg --pre-glob '*.gz' foo",
                              "git diff --output-indicator-new=+ HEAD",
                              "git log --no-ext-diff",
                              "git log -c",
                              "git -C src log",
                              "git show -s --format=%H",
                              "date +%s",
                              "date -d tomorrow +%F",
                              "date --date=@0",
                              "date -u",
                              "date -d -s",
                              "sort -k2 -t, f",
                              "sort -u f",
                              "tar -tf a.tar",
                              "tar tvf a.tar",
                              "sed -n 1,20p f",
                              "sed s/foo/bar/g f",
                              "awk '{print $1}' f",
                              "less -N f",
                              "man -k printf",
                              "find . -name '*.cc' -print",
                              "ls -la",
                              "cat -s f",
                              "grep -rn x ."}) {
    auto use = use_in(command);
    EXPECT_FALSE(use) << command << ": " << (use ? use->reason() : "");
  }
}

TEST(ToolOptionsTest, ArgumentsAddedAtRunTimeAreNeverApproved) {
  EXPECT_TRUE(find_forbidden_use({"rg", "foo"}, true));
  EXPECT_FALSE(find_forbidden_use({"cat"}, true)) << "cat has no options to fear";
}

// Through the policy: the defaults approve rg, date, find and git reads, never these uses.
TEST(ToolOptionsTest, TheDefaultApprovalsNeverApproveAForbiddenUse) {
  auto set = PatternSet::make(default_patterns());
  ASSERT_TRUE(set.ok());
  for (const char* command :
       {"rg --pre ./x foo", "rg --hostname-bin=./x foo", "date -s 2020-01-01", "date 0101",
        "git diff --output=/tmp/o", "git log --out=/tmp/o", "git show --ext-diff",
        "find . -fprint /tmp/o", "xargs rg foo", "ls | xargs date"}) {
    Decision d = set->decide(command, {});
    EXPECT_EQ(d.decision, Verdict::kAsk) << command;
  }
  Decision d = set->decide("rg --pre ./x foo", {});
  EXPECT_EQ(d.source, Source::kOption);
  EXPECT_EQ(d.reason, "rg --pre runs a program; no pattern approves that");
  ASSERT_EQ(d.parts.size(), 1u);
  EXPECT_EQ(d.parts[0].pattern_id, "default-approve-read-only");
  EXPECT_EQ(d.parts[0].guard, "rg --pre runs a program");
}

TEST(ToolOptionsTest, AnAdminsApprovalNeverApprovesAForbiddenUseEither) {
  PatternSpec spec;
  spec.id = "approve-tools";
  spec.name = "text tools";
  spec.match = MatchKind::kRegex;
  spec.pattern = "^(?:sort|sed|awk|tar|less|man)( |$)";
  spec.decision = Verdict::kApprove;
  auto set = PatternSet::make({spec});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->decide("sort -u f", {}).decision, Verdict::kApprove);
  for (const char* command : {"sort -o f f", "sed -i s/a/b/ f", "awk 'BEGIN{system(\"sh\")}'",
                              "tar xf a.tar", "less -o log f", "man -P sh ls"}) {
    EXPECT_EQ(set->decide(command, {}).decision, Verdict::kAsk) << command;
  }
}

}  // namespace
}  // namespace gaia::confirm
