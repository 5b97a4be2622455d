#include "confirm/detail/wrappers.h"

#include <gtest/gtest.h>

namespace gaia::confirm::detail {
namespace {

TEST(WrappersTest, RecognisesAssignments) {
  EXPECT_TRUE(is_assignment("FOO=1"));
  EXPECT_TRUE(is_assignment("_x="));
  EXPECT_TRUE(is_assignment("PATH+=:/x"));
  EXPECT_TRUE(is_assignment("arr[3]=v"));
  EXPECT_FALSE(is_assignment("=1"));
  EXPECT_FALSE(is_assignment("1X=1"));
  EXPECT_FALSE(is_assignment("a-b=1"));
  EXPECT_FALSE(is_assignment("--opt=1"));
  EXPECT_FALSE(is_assignment("ls"));
}

TEST(WrappersTest, RecognisesShellsByBasename) {
  EXPECT_TRUE(is_shell("bash"));
  EXPECT_TRUE(is_shell("/usr/bin/zsh"));
  EXPECT_FALSE(is_shell("bashful"));
  EXPECT_FALSE(is_shell("python"));
}

TEST(WrappersTest, ShellReadingStdin) {
  EXPECT_EQ(unwrap({"bash"}).what, Wrapped::kStdinShell);
  EXPECT_EQ(unwrap({"sh", "-s", "--", "arg"}).what, Wrapped::kStdinShell);
  EXPECT_EQ(unwrap({"sh", "-x"}).what, Wrapped::kStdinShell);
  EXPECT_EQ(unwrap({"sh", "script.sh"}).what, Wrapped::kNone);
  EXPECT_EQ(unwrap({"sh", "-c"}).what, Wrapped::kNone);
}

TEST(WrappersTest, ShellBodyAfterOptionArguments) {
  Unwrapped u = unwrap({"bash", "--rcfile", "x", "-o", "pipefail", "-c", "ls", "name"});
  EXPECT_EQ(u.what, Wrapped::kShellBody);
  EXPECT_EQ(u.body, "ls");
}

TEST(WrappersTest, SudoOptionsWithArgumentsAreSkipped) {
  Unwrapped u = unwrap({"sudo", "-u", "root", "-iE", "--chdir", "/", "--user=x", "A=1", "ls"});
  EXPECT_EQ(u.what, Wrapped::kCommand);
  EXPECT_EQ(u.inner, 8u);
  ASSERT_EQ(u.assignments.size(), 1u);
  EXPECT_EQ(u.assignments[0], "A=1");
}

TEST(WrappersTest, AttachedOptionArgumentDoesNotConsumeTheNextWord) {
  Unwrapped u = unwrap({"sudo", "-uroot", "ls"});
  EXPECT_EQ(u.inner, 2u);
}

TEST(WrappersTest, CommandDashVRunsNothing) {
  EXPECT_EQ(unwrap({"command", "-v", "rm"}).what, Wrapped::kNone);
}

TEST(WrappersTest, WatchRunsItsArgumentsThroughAShell) {
  Unwrapped u = unwrap({"watch", "-n", "1", "ls", "-l"});
  EXPECT_EQ(u.what, Wrapped::kShellBody);
  EXPECT_EQ(u.body, "ls -l");
}

TEST(WrappersTest, OrdinaryCommandWrapsNothing) {
  EXPECT_EQ(unwrap({"ls", "-l"}).what, Wrapped::kNone);
}

}  // namespace
}  // namespace gaia::confirm::detail
