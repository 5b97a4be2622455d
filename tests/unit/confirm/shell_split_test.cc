#include "confirm/shell_split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gaia::confirm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<CommandPart> split_ok(std::string_view command) {
  auto r = split_command(command);
  EXPECT_TRUE(r.ok()) << command << ": " << r.status().message();
  return r.ok() ? r.value() : std::vector<CommandPart>{};
}

// "kind:text" of every part, in order.
std::vector<std::string> parts_of(std::string_view command) {
  std::vector<std::string> out;
  for (const CommandPart& p : split_ok(command)) {
    out.push_back(std::string(part_kind_name(p.kind)) + ":" + p.text);
  }
  return out;
}

// Texts of the command parts only.
std::vector<std::string> commands_of(std::string_view command) {
  std::vector<std::string> out;
  for (const CommandPart& p : split_ok(command)) {
    if (p.kind == PartKind::kCommand) out.push_back(p.text);
  }
  return out;
}

std::string error_of(std::string_view command, const SplitLimits& limits = {}) {
  auto r = split_command(command, limits);
  EXPECT_FALSE(r.ok()) << command;
  return r.ok() ? "" : r.status().message();
}

TEST(ShellSplitTest, SplitsWordsOnBlanks) {
  auto parts = split_ok("  ls   -l\t-a  ");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_THAT(parts[0].argv, ElementsAre("ls", "-l", "-a"));
  EXPECT_EQ(parts[0].text, "ls -l -a");
  EXPECT_EQ(parts[0].kind, PartKind::kCommand);
  EXPECT_EQ(parts[0].depth, 0);
}

TEST(ShellSplitTest, EmptyAndBlankInputHaveNoParts) {
  EXPECT_TRUE(split_ok("").empty());
  EXPECT_TRUE(split_ok("  \n\t ").empty());
  EXPECT_TRUE(split_ok("# only a comment").empty());
}

TEST(ShellSplitTest, RemovesQuotesAndKeepsTheirContentAsOneWord) {
  auto parts = split_ok("echo 'a b' \"c d\" e\\ f");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_THAT(parts[0].argv, ElementsAre("echo", "a b", "c d", "e f"));
}

TEST(ShellSplitTest, JoinsAdjacentQuotedPiecesIntoOneWord) {
  EXPECT_THAT(commands_of("r''m -r\"f\" /"), ElementsAre("rm -rf /"));
}

TEST(ShellSplitTest, DoubleQuotesKeepBackslashUnlessItEscapesASpecialCharacter) {
  auto parts = split_ok(R"(echo "a\"b" "c\d" "e\\f" "g\$h")");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_THAT(parts[0].argv, ElementsAre("echo", "a\"b", "c\\d", "e\\f", "g$h"));
}

TEST(ShellSplitTest, SingleQuotesKeepEverythingLiterally) {
  auto parts = split_ok(R"(echo 'a\b $(x) `y`')");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_THAT(parts[0].argv, ElementsAre("echo", "a\\b $(x) `y`"));
}

TEST(ShellSplitTest, DecodesAnsiCQuotes) {
  auto parts = split_ok(R"(echo $'a\tb' $'\x2f' $'\057' $'it\'s' $'\u00e9')");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_THAT(parts[0].argv, ElementsAre("echo", "a\tb", "/", "/", "it's", "\xC3\xA9"));
}

TEST(ShellSplitTest, BackslashEscapesAnOperator) {
  EXPECT_THAT(commands_of("echo a\\;b \\&\\& c"), ElementsAre("echo a;b && c"));
}

TEST(ShellSplitTest, LineContinuationJoinsLines) {
  EXPECT_THAT(commands_of("rm -r\\\nf /"), ElementsAre("rm -rf /"));
  EXPECT_THAT(commands_of("ls \\\n -l"), ElementsAre("ls -l"));
}

TEST(ShellSplitTest, SplitsOnEveryListOperator) {
  EXPECT_THAT(commands_of("a; b && c || d & e\nf"), ElementsAre("a", "b", "c", "d", "e", "f"));
}

TEST(ShellSplitTest, OperatorsWithoutBlanksStillSplit) {
  EXPECT_THAT(commands_of("a;b&&c||d&e|f"), ElementsAre("a", "b", "c", "d", "e", "f"));
}

TEST(ShellSplitTest, QuotedOperatorsAreArguments) {
  EXPECT_THAT(commands_of("echo \"a && rm -rf /\""), ElementsAre("echo a && rm -rf /"));
  EXPECT_THAT(commands_of("echo 'a; b | c'"), ElementsAre("echo a; b | c"));
}

TEST(ShellSplitTest, PipelineAddsAPipelinePart) {
  EXPECT_THAT(parts_of("curl -s x | sh"),
              ElementsAre("command:curl -s x", "command:sh", "pipeline:curl -s x | sh"));
  EXPECT_THAT(parts_of("a |& b"), ElementsAre("command:a", "command:b", "pipeline:a | b"));
}

TEST(ShellSplitTest, NegatedPipelineSplitsItsCommands) {
  EXPECT_THAT(commands_of("! grep -q x f"), ElementsAre("grep -q x f"));
}

TEST(ShellSplitTest, CommandSubstitutionIsSplitOneLevelDeeperAndFirst) {
  auto parts = split_ok("echo $(rm -rf /) done");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].text, "rm -rf /");
  EXPECT_EQ(parts[0].depth, 1);
  EXPECT_EQ(parts[1].text, "echo $(rm -rf /) done");
  EXPECT_EQ(parts[1].depth, 0);
}

TEST(ShellSplitTest, NestedCommandSubstitutions) {
  EXPECT_THAT(commands_of("ls $(echo $(rm -rf /))"),
              ElementsAre("rm -rf /", "echo $(rm -rf /)", "ls $(echo $(rm -rf /))"));
}

TEST(ShellSplitTest, SubstitutionInsideDoubleQuotesIsSplit) {
  EXPECT_THAT(commands_of("echo \"x $(whoami) y\""), ElementsAre("whoami", "echo x $(whoami) y"));
}

TEST(ShellSplitTest, BackticksAreSplit) {
  EXPECT_THAT(commands_of("echo `rm -rf ~`"), ElementsAre("rm -rf ~", "echo `rm -rf ~`"));
}

TEST(ShellSplitTest, NestedBackticksWithEscapedInnerBackticks) {
  auto cmds = commands_of("echo `echo \\`rm -rf /\\``");
  EXPECT_THAT(cmds, ::testing::Contains("rm -rf /"));
}

TEST(ShellSplitTest, ParenthesesInsideSubstitutionQuotesDoNotClose) {
  EXPECT_THAT(commands_of("echo $(echo ')' \"(\")"),
              ElementsAre("echo ) (", "echo $(echo ')' \"(\")"));
}

TEST(ShellSplitTest, ProcessSubstitutionIsSplit) {
  EXPECT_THAT(commands_of("diff <(ls a) >(cat)"),
              ElementsAre("ls a", "cat", "diff <(ls a) >(cat)"));
}

TEST(ShellSplitTest, ParameterExpansionKeepsTextAndSplitsItsSubstitutions) {
  EXPECT_THAT(commands_of("echo ${X:-$(rm -rf /)}"),
              ElementsAre("rm -rf /", "echo ${X:-$(rm -rf /)}"));
}

TEST(ShellSplitTest, ArithmeticExpansionIsNotACommand) {
  EXPECT_THAT(commands_of("echo $((1 + (2 * 3)))"), ElementsAre("echo $((1 + (2 * 3)))"));
  EXPECT_THAT(commands_of("echo $(( $(rm -rf /) ))"), ::testing::Contains("rm -rf /"));
}

TEST(ShellSplitTest, DollarParenParenCanBeASubshellInASubstitution) {
  EXPECT_THAT(commands_of("echo $( (ls) )"), ElementsAre("ls", "echo $( (ls) )"));
}

TEST(ShellSplitTest, SubshellsAndGroupsAreSplit) {
  EXPECT_THAT(commands_of("(cd /tmp && rm x) ; { ls; pwd; }"),
              ElementsAre("cd /tmp", "rm x", "ls", "pwd"));
  auto parts = split_ok("(ls)");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].depth, 1);
}

TEST(ShellSplitTest, BraceNotFollowedByBlankIsAWord) {
  EXPECT_THAT(commands_of("echo {a,b} {x}"), ElementsAre("echo {a,b} {x}"));
}

TEST(ShellSplitTest, CompoundCommandsAreSplit) {
  EXPECT_THAT(commands_of("if test -f x; then cat x; elif true; then ls; else pwd; fi"),
              ElementsAre("test -f x", "cat x", "true", "ls", "pwd"));
  EXPECT_THAT(commands_of("while read l; do echo $l; done < f"), ElementsAre("read l", "echo $l"));
  EXPECT_THAT(commands_of("until false; do sleep 1; done"), ElementsAre("false", "sleep 1"));
  EXPECT_THAT(commands_of("for f in *.txt $(ls); do wc -l $f; done"),
              ElementsAre("ls", "wc -l $f"));
  EXPECT_THAT(commands_of("for ((i=0; i<3; i++)); do echo $i; done"), ElementsAre("echo $i"));
}

TEST(ShellSplitTest, CaseItemsAreSplit) {
  EXPECT_THAT(commands_of("case $x in a|b) rm a;; (c) ls ;& *) pwd;; esac"),
              ElementsAre("rm a", "ls", "pwd"));
}

TEST(ShellSplitTest, KeywordsAreWordsAfterTheCommandName) {
  EXPECT_THAT(commands_of("echo if then fi done"), ElementsAre("echo if then fi done"));
}

TEST(ShellSplitTest, ConditionIsAContextPartAndItsOperatorsDoNotSplit) {
  EXPECT_THAT(parts_of("[[ -f x && $(id -u) -eq 0 ]] && ls"),
              ElementsAre("command:id -u", "condition:[[ -f x && $(id -u) -eq 0 ]]", "command:ls"));
}

TEST(ShellSplitTest, ArithmeticCommandIsAContextPart) {
  EXPECT_THAT(parts_of("(( i++ ))"), ElementsAre("condition:(( i++ ))"));
}

TEST(ShellSplitTest, FunctionDefinitionBecomesAFunctionPart) {
  EXPECT_THAT(parts_of(":(){ :|:& };:"), ElementsAre("command::", "command::", "pipeline:: | :",
                                                     "function::() { :|:& }", "command::"));
  EXPECT_THAT(parts_of("function f { ls; }"), ElementsAre("command:ls", "function:f() { ls; }"));
  EXPECT_THAT(parts_of("f () ( pwd )"), ElementsAre("command:pwd", "function:f() ( pwd )"));
}

TEST(ShellSplitTest, EnvironmentPrefixIsStrippedAndReported) {
  auto parts = split_ok("FOO=1 BAR='a b' rm -rf /");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].kind, PartKind::kAssignment);
  EXPECT_EQ(parts[0].text, "FOO=1");
  EXPECT_EQ(parts[1].text, "BAR=a b");
  EXPECT_EQ(parts[2].kind, PartKind::kCommand);
  EXPECT_THAT(parts[2].argv, ElementsAre("rm", "-rf", "/"));
}

TEST(ShellSplitTest, AssignmentAloneHasNoCommandPart) {
  EXPECT_THAT(parts_of("X=$(pwd)"), ElementsAre("command:pwd", "assignment:X=$(pwd)"));
  EXPECT_THAT(parts_of("A=(1 2 3)"), ElementsAre("assignment:A=(1 2 3)"));
}

TEST(ShellSplitTest, QuotedNameIsNotAnAssignment) {
  EXPECT_THAT(commands_of("\"FOO\"=1 ls"), ElementsAre("FOO=1 ls"));
  EXPECT_THAT(commands_of("ls FOO=1"), ElementsAre("ls FOO=1"));
}

TEST(ShellSplitTest, RedirectionsBecomeRedirectParts) {
  EXPECT_THAT(parts_of("cmd a >out 2>&1 <in >>log &>all 3<>rw"),
              ElementsAre("command:cmd a", "redirect:> out", "redirect:2>&1", "redirect:< in",
                          "redirect:>> log", "redirect:&> all", "redirect:3<> rw"));
}

TEST(ShellSplitTest, RedirectionAloneIsAllowed) {
  EXPECT_THAT(parts_of("> /dev/sda"), ElementsAre("redirect:> /dev/sda"));
}

TEST(ShellSplitTest, RedirectionAfterCompound) {
  EXPECT_THAT(parts_of("{ ls; } > out"), ElementsAre("command:ls", "redirect:> out"));
}

TEST(ShellSplitTest, HereDocumentBodyIsDataButItsSubstitutionsRun) {
  EXPECT_THAT(commands_of("cat <<EOF\nrm -rf /\n$(whoami)\nEOF\nls"),
              ElementsAre("cat", "whoami", "ls"));
}

TEST(ShellSplitTest, QuotedHereDocumentIsNotExpanded) {
  EXPECT_THAT(commands_of("cat <<'EOF'\n$(whoami)\nEOF"), ElementsAre("cat"));
}

TEST(ShellSplitTest, HereDocumentFedToAShellIsSplit) {
  EXPECT_THAT(commands_of("bash <<-EOF\n\trm -rf /\n\tEOF\necho done"),
              ElementsAre("bash", "rm -rf /", "echo done"));
}

TEST(ShellSplitTest, HereStringFedToAShellIsSplit) {
  EXPECT_THAT(commands_of("sh <<< 'rm -rf ~'"), ElementsAre("sh", "rm -rf ~"));
  EXPECT_THAT(commands_of("cat <<< 'rm -rf ~'"), ElementsAre("cat"));
}

TEST(ShellSplitTest, BashDashCBodyIsSplitRecursively) {
  auto parts = split_ok("bash -c 'cd /; rm -rf ~'");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].kind, PartKind::kWrapper);
  EXPECT_EQ(parts[0].text, "bash -c cd /; rm -rf ~");
  EXPECT_EQ(parts[1].text, "cd /");
  EXPECT_EQ(parts[2].text, "rm -rf ~");
  EXPECT_EQ(parts[2].depth, 1);
}

TEST(ShellSplitTest, ShellOptionsBeforeDashCAreUnderstood) {
  EXPECT_THAT(commands_of("sh -ec 'ls'"), ElementsAre("ls"));
  EXPECT_THAT(commands_of("bash -lc \"pwd\""), ElementsAre("pwd"));
  EXPECT_THAT(commands_of("zsh -o errexit -c 'id'"), ElementsAre("id"));
  EXPECT_THAT(commands_of("/bin/dash -c 'rm x'"), ElementsAre("rm x"));
}

TEST(ShellSplitTest, NestedShellBodies) {
  EXPECT_THAT(commands_of("bash -c \"sh -c 'bash -c \\\"rm -rf /\\\"'\""), ElementsAre("rm -rf /"));
}

TEST(ShellSplitTest, ShellWithAScriptFileIsACommand) {
  EXPECT_THAT(parts_of("bash deploy.sh"), ElementsAre("command:bash deploy.sh"));
}

TEST(ShellSplitTest, EvalBodyIsSplit) {
  EXPECT_THAT(commands_of("eval 'ls; rm x'"), ElementsAre("ls", "rm x"));
}

TEST(ShellSplitTest, SuDashCBodyIsSplit) {
  EXPECT_THAT(commands_of("su root -c 'rm -rf /'"), ElementsAre("rm -rf /"));
}

TEST(ShellSplitTest, WrapperKeepsTheWholeCommandAndAddsTheWrappedOne) {
  EXPECT_THAT(parts_of("sudo -u root -E rm -rf /"),
              ElementsAre("wrapper:sudo -u root -E rm -rf /", "command:rm -rf /"));
  auto parts = split_ok("sudo ls");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].depth, 1);
}

TEST(ShellSplitTest, EveryKnownWrapperIsSeenThrough) {
  EXPECT_THAT(commands_of("env -i -- FOO=1 rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("env -u HOME rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("nohup rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("time -p rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("nice -n 10 rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("nice -5 rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("ionice -c 3 rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("timeout -s KILL 5s rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("stdbuf -oL rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("xargs -0 -n 1 rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("exec rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("command rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("doas -u root rm x"), ElementsAre("rm x"));
  EXPECT_THAT(commands_of("setsid rm x"), ElementsAre("rm x"));
}

TEST(ShellSplitTest, WrappersNest) {
  EXPECT_THAT(parts_of("sudo nice -n 5 env A=1 rm x"),
              ElementsAre("wrapper:sudo nice -n 5 env A=1 rm x", "wrapper:nice -n 5 env A=1 rm x",
                          "wrapper:env A=1 rm x", "assignment:A=1", "command:rm x"));
}

TEST(ShellSplitTest, WrapperWithoutCommandIsItselfTheCommand) {
  EXPECT_THAT(parts_of("sudo -i"), ElementsAre("command:sudo -i"));
  EXPECT_THAT(parts_of("env"), ElementsAre("command:env"));
  EXPECT_THAT(parts_of("xargs"), ElementsAre("wrapper:xargs", "command:echo"));
}

TEST(ShellSplitTest, EnvSplitStringIsSplit) {
  EXPECT_THAT(commands_of("env -S 'rm -rf /'"), ElementsAre("rm -rf /"));
}

TEST(ShellSplitTest, CommandFromASystemDirectoryIsJudgedByItsBasename) {
  EXPECT_THAT(parts_of("/usr/bin/rm -rf /"),
              ElementsAre("alias:/usr/bin/rm -rf /", "command:rm -rf /"));
}

TEST(ShellSplitTest, CommandFromElsewhereIsJudgedAsWrittenWithItsBasenameAsContext) {
  EXPECT_THAT(parts_of("./ls -l"), ElementsAre("command:./ls -l", "alias:ls -l"));
}

TEST(ShellSplitTest, CommentsAreIgnored) {
  EXPECT_THAT(commands_of("ls # && rm -rf /\npwd"), ElementsAre("ls", "pwd"));
  EXPECT_THAT(commands_of("echo a#b"), ElementsAre("echo a#b"));
}

TEST(ShellSplitTest, ReportsUnterminatedQuotes) {
  EXPECT_THAT(error_of("echo 'abc"), HasSubstr("unterminated single quote at offset 5"));
  EXPECT_THAT(error_of("echo \"abc"), HasSubstr("unterminated double quote at offset 5"));
  EXPECT_THAT(error_of("echo $'abc"), HasSubstr("unterminated $' quote"));
  EXPECT_THAT(error_of("echo `ls"), HasSubstr("unterminated backquote"));
  EXPECT_THAT(error_of("echo $(ls"), HasSubstr("unterminated '$('"));
  EXPECT_THAT(error_of("echo ${X"), HasSubstr("unterminated '${'"));
}

TEST(ShellSplitTest, ReportsUnbalancedParenthesesAndKeywords) {
  EXPECT_THAT(error_of("ls )"), HasSubstr("unbalanced ')' at offset 3"));
  EXPECT_THAT(error_of("(ls"), HasSubstr("unbalanced '('"));
  EXPECT_THAT(error_of("{ ls;"), HasSubstr("'{' without '}'"));
  EXPECT_THAT(error_of("if true; then ls"), HasSubstr("'if' without 'fi'"));
  EXPECT_THAT(error_of("while true; ls"), HasSubstr("'while' without 'do'"));
  EXPECT_THAT(error_of("ls; fi"), HasSubstr("unexpected 'fi'"));
  EXPECT_THAT(error_of("case x in a) ls;;"), HasSubstr("'case' without 'esac'"));
}

TEST(ShellSplitTest, ReportsMissingCommands) {
  EXPECT_THAT(error_of("ls &&"), HasSubstr("missing command"));
  EXPECT_THAT(error_of("| ls"), HasSubstr("missing command"));
  EXPECT_THAT(error_of("ls ;; ls"), HasSubstr("unexpected ';;'"));
  EXPECT_THAT(error_of("ls >"), HasSubstr("missing target after '>'"));
}

TEST(ShellSplitTest, RefusesInputOverTheSizeLimit) {
  SplitLimits limits;
  limits.max_input_bytes = 10;
  EXPECT_THAT(error_of("echo 0123456789", limits), HasSubstr("longer than 10 bytes"));
}

TEST(ShellSplitTest, RefusesNestingOverTheDepthLimit) {
  SplitLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(split_command("echo $(echo $(echo $(ls)))", limits).ok());
  EXPECT_THAT(error_of("echo $(echo $(echo $(echo $(ls))))", limits), HasSubstr("nesting deeper"));
}

TEST(ShellSplitTest, RefusesTooManyParts) {
  SplitLimits limits;
  limits.max_parts = 5;
  EXPECT_THAT(error_of("a;b;c;d;e;f", limits), HasSubstr("more than 5 command parts"));
}

TEST(ShellSplitTest, DeeplyNestedInputFailsWithoutExhaustingTheStack) {
  // Each form nests once per few bytes; 64 KiB of it would overflow an unbounded parser.
  for (std::string unit : {"(", "$(", "{ ", "${", "\"$(", "if ", "eval ", "sudo ", "<(", "((("}) {
    std::string deep;
    while (deep.size() + unit.size() < 60 * 1024) deep += unit;
    deep += "ls";
    auto r = split_command(deep);
    EXPECT_FALSE(r.ok()) << unit;
  }
}

TEST(ShellSplitTest, DeeplyNestedBackticksFail) {
  SplitLimits limits;
  limits.max_depth = 5;
  std::string cmd = "ls";
  for (int i = 0; i < 8; ++i) {
    std::string escaped;
    for (char c : cmd) {
      if (c == '`' || c == '\\') escaped += '\\';
      escaped += c;
    }
    cmd = "echo `" + escaped + "`";
  }
  EXPECT_THAT(error_of(cmd, limits), HasSubstr("nesting deeper than 5"));
}

}  // namespace
}  // namespace gaia::confirm
