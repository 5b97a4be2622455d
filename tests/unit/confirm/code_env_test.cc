// The table of variables that change which code runs: one test per class, every entry found
// by name, ordinary variables not; and the policy asks about a command that sets one.

#include "confirm/code_env.h"

#include <gtest/gtest.h>

#include "confirm/default_patterns.h"
#include "confirm/policy.h"

namespace gaia::confirm {
namespace {

using C = CodeEnvClass;

C class_of(std::string_view name) {
  const CodeEnvEntry* e = code_env_entry(name);
  EXPECT_NE(e, nullptr) << name;
  return e != nullptr ? e->what : C::kBuild;
}

TEST(CodeEnvTest, ProgramLookup) { EXPECT_EQ(class_of("PATH"), C::kProgramLookup); }

TEST(CodeEnvTest, Loader) {
  for (const char* n :
       {"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "GLIBC_TUNABLES"}) {
    EXPECT_EQ(class_of(n), C::kLoader) << n;
  }
}

TEST(CodeEnvTest, ShellStartUp) {
  for (const char* n : {"BASH_ENV", "ENV", "PROMPT_COMMAND", "PS4", "SHELLOPTS", "IFS",
                        "BASH_FUNC_ls", "ZDOTDIR"}) {
    EXPECT_EQ(class_of(n), C::kShellStartup) << n;
  }
}

TEST(CodeEnvTest, Interpreter) {
  for (const char* n : {"PYTHONPATH", "PYTHONSTARTUP", "PERL5OPT", "RUBYOPT", "NODE_OPTIONS",
                        "JAVA_TOOL_OPTIONS", "LUA_INIT"}) {
    EXPECT_EQ(class_of(n), C::kInterpreter) << n;
  }
}

TEST(CodeEnvTest, Git) {
  for (const char* n : {"GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_EXEC_PATH",
                        "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS", "GIT_DIR"}) {
    EXPECT_EQ(class_of(n), C::kGit) << n;
  }
}

TEST(CodeEnvTest, HelperPrograms) {
  for (const char* n : {"PAGER", "EDITOR", "MANPAGER", "LESSOPEN", "SUDO_ASKPASS", "TAR_OPTIONS",
                        "RIPGREP_CONFIG_PATH"}) {
    EXPECT_EQ(class_of(n), C::kHelper) << n;
  }
}

TEST(CodeEnvTest, ConfigurationLookup) {
  for (const char* n : {"HOME", "XDG_CONFIG_HOME"}) EXPECT_EQ(class_of(n), C::kConfigLookup) << n;
}

TEST(CodeEnvTest, BuildTools) {
  for (const char* n : {"CC", "CXX", "MAKEFLAGS", "RUSTC_WRAPPER"}) {
    EXPECT_EQ(class_of(n), C::kBuild) << n;
  }
}

TEST(CodeEnvTest, EveryEntryIsFoundAndOrdinaryVariablesAreNot) {
  for (const CodeEnvEntry& e : code_env_table()) {
    const std::string name = std::string(e.name) + (e.prefix ? "X" : "");
    EXPECT_EQ(code_env_entry(name), &e) << name;
  }
  for (const char* n : {"TERM", "LANG", "LC_ALL", "TZ", "USER", "PATHX", "MY_PATH",
                        "GIT_AUTHOR_NAME", "CCACHE_DIR", "HOMEDIR", "DEBUG"}) {
    EXPECT_EQ(code_env_entry(n), nullptr) << n;
  }
}

TEST(CodeEnvTest, JudgingNamesEachFindingOnceInOrder) {
  const std::vector<std::string> names = {"FOO", "PATH", "LD_PRELOAD", "PATH"};
  const std::vector<CodeEnvFinding> found = judge_env(names);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "PATH");
  EXPECT_EQ(found[1].name, "LD_PRELOAD");
  EXPECT_EQ(describe(found), "changes which code runs: PATH (program lookup), LD_PRELOAD (loader)");
}

TEST(CodeEnvTest, APolicyAsksAboutACommandSettingOneWhateverThePatternsSay) {
  PatternSpec spec;
  spec.id = "approve-all";
  spec.name = "everything";
  spec.match = MatchKind::kRegex;
  spec.pattern = ".";
  spec.decision = Verdict::kApprove;
  auto set = PatternSet::make({spec});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->decide("FOO=1 ls", {}).decision, Verdict::kApprove);
  for (const char* command :
       {"PATH=/tmp/x ls", "LD_PRELOAD=/tmp/x.so ls", "env BASH_ENV=x ls",
        "PYTHONPATH=. python3 t.py", "GIT_SSH_COMMAND=sh git fetch", "HOME=/tmp/h git status",
        "PATH+=:/tmp ls", "export PATH=/tmp/x; ls", "declare -x LD_PRELOAD=/tmp/x.so"}) {
    Decision d = set->decide(command, {});
    EXPECT_EQ(d.decision, Verdict::kAsk) << command;
    EXPECT_EQ(d.source, Source::kEnvironment) << command;
  }
}

}  // namespace
}  // namespace gaia::confirm
