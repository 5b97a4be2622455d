// gaia hook install and gaia hook doctor as a user runs them: the real `gaia` writing an
// agent's settings under a temporary $HOME, trying the hook it wrote through /bin/sh, and the
// doctor asking the real gaia_server.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/gaia_server_test.h"
#include "support/temp_dir.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "hook-install-admin-key-0123456789abcdef";

std::string describe(const CliRun& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

class HookInstallTest : public GaiaServerTest {
 protected:
  HookInstallTest() : GaiaServerTest(kAdminKey) {}

  // gaia `args` with HOME the test's own and, unless empty, GAIA_URL and GAIA_KEY; no PATH,
  // so that a hook run by name cannot be found.
  CliRun gaia(const std::vector<std::string>& args, const std::string& url = "",
              const std::string& key = "") {
    std::vector<std::string> env = {"HOME=" + home_.path().string()};
    if (!url.empty()) env.push_back("GAIA_URL=" + url);
    if (!key.empty()) env.push_back("GAIA_KEY=" + key);
    return run_program(GAIA_CLI_PATH, args, env);
  }
  std::string settings(const std::string& rest = ".claude/settings.json") const {
    return home_.file(rest);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  TempDir home_;
};

TEST_F(HookInstallTest, InstallWritesTheAbsolutePathForEveryShellToolAndPassesItsDryRun) {
  CliRun run = gaia({"hook", "install"});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_NE(run.out.find("dry run passed"), std::string::npos) << run.out;
  const boost::json::value v = boost::json::parse(read_file(settings()));
  const boost::json::value& group = v.at("hooks").at("PreToolUse").at(0);
  EXPECT_EQ(group.at("matcher"), "Bash|PowerShell");
  const std::string command(group.at("hooks").at(0).at("command").as_string());
  EXPECT_TRUE(command.starts_with(std::filesystem::canonical(GAIA_CLI_PATH).string() +
                                  " hook pre-tool-use"))
      << command;
}

TEST_F(HookInstallTest, InstallKeepsTheOtherKeysOfAnExistingFileAndIsIdempotent) {
  write_file(settings(), R"({"model":"opus","hooks":{"Stop":[{"hooks":[{"type":"command",
      "command":"notify-send done"}]}]},"env":{"A":"1"}})");
  ASSERT_EQ(gaia({"hook", "install"}).exit_code, 0);
  const std::string first = read_file(settings());
  const boost::json::value v = boost::json::parse(first);
  EXPECT_EQ(v.at("model"), "opus");
  EXPECT_EQ(v.at("env").at("A"), "1");
  EXPECT_EQ(v.at("hooks").at("Stop").at(0).at("hooks").at(0).at("command"), "notify-send done");

  CliRun again = gaia({"hook", "install"});
  EXPECT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_TRUE(again.out.starts_with("already installed")) << again.out;
  EXPECT_EQ(read_file(settings()), first);
}

TEST_F(HookInstallTest, InstallRefusesAMalformedFileAndLeavesItAlone) {
  write_file(settings(), "{\"model\": \"opus\",");
  CliRun run = gaia({"hook", "install"});
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_NE(run.err.find(settings() + ": not valid JSON"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing was changed"), std::string::npos) << run.err;
  EXPECT_EQ(read_file(settings()), "{\"model\": \"opus\",");
}

TEST_F(HookInstallTest, InstallsForCodexAndGeminiInTheirOwnFiles) {
  ASSERT_EQ(gaia({"hook", "install", "--agent", "codex"}).exit_code, 0);
  const boost::json::value codex = boost::json::parse(read_file(settings(".codex/hooks.json")));
  EXPECT_EQ(codex.at("hooks").at("PreToolUse").at(0).at("matcher"), "Bash");
  CliRun gemini = gaia({"hook", "install", "--agent", "gemini"});
  ASSERT_EQ(gemini.exit_code, 0) << describe(gemini);
  const boost::json::value g = boost::json::parse(read_file(settings(".gemini/settings.json")));
  EXPECT_EQ(g.at("hooks").at("BeforeTool").at(0).at("matcher"), "run_shell_command");
}

TEST_F(HookInstallTest, DoctorNamesABareCommandAndAMatcherThatLeavesPowerShellOut) {
  // The hook as an earlier README had it.
  write_file(settings(), R"({"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[
      {"type":"command","command":"gaia hook pre-tool-use","timeout":15}]}]}})");
  CliRun run = gaia({"hook", "doctor"});
  EXPECT_EQ(run.exit_code, 1) << describe(run);
  EXPECT_NE(run.out.find("leaves PowerShell ungated"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("runs \"gaia\" by name"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("exited 127 (command not found)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("GAIA_KEY is not set"), std::string::npos) << run.out;
}

TEST_F(HookInstallTest, DoctorFindsNothingWrongAfterInstallWithAReachableServer) {
  start();
  ASSERT_EQ(gaia({"hook", "install"}, url()).exit_code, 0);
  CliRun run = gaia({"hook", "doctor", "--scope", "user"}, url(), kAdminKey);
  EXPECT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_NE(run.out.find("accepts the key"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("no problems found"), std::string::npos) << run.out;
  CliRun wrong_key = gaia({"hook", "doctor", "--scope", "user"}, url(), "gaia_wrong");
  EXPECT_EQ(wrong_key.exit_code, 1) << describe(wrong_key);
  EXPECT_NE(wrong_key.out.find("does not accept GAIA_KEY"), std::string::npos) << wrong_key.out;
}

// Cursor's hooks.json (cursor.com/docs/agent/hooks): bare handlers under beforeShellExecution.
TEST_F(HookInstallTest, InstallsForCursorKeepingItsOtherHooksIdempotentlyAndRefusesAMalformedFile) {
  const std::string path = settings(".cursor/hooks.json");
  write_file(path, R"({"version":1,"hooks":{"afterFileEdit":[{"command":"./hooks/format.sh"}],
      "beforeShellExecution":[{"command":"./hooks/audit.sh"},{"command":"gaia hook pre-tool-use --agent cursor"}]}})");
  CliRun run = gaia({"hook", "install", "--agent", "cursor"});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_NE(run.out.find("dry run passed: the hook answers as Cursor expects"), std::string::npos)
      << run.out;
  const std::string first = read_file(path);
  const boost::json::value v = boost::json::parse(first);
  EXPECT_EQ(v.at("version"), 1);
  EXPECT_EQ(v.at("hooks").at("afterFileEdit").at(0).at("command"), "./hooks/format.sh");
  const boost::json::array& shell = v.at("hooks").at("beforeShellExecution").as_array();
  ASSERT_EQ(shell.size(), 2u) << first;
  EXPECT_EQ(shell[0].at("command"), "./hooks/audit.sh");
  EXPECT_EQ(
      std::string(shell[1].at("command").as_string()),
      std::filesystem::canonical(GAIA_CLI_PATH).string() + " hook pre-tool-use --agent cursor");

  CliRun again = gaia({"hook", "install", "--agent", "cursor"});
  EXPECT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_TRUE(again.out.starts_with("already installed")) << again.out;
  EXPECT_EQ(read_file(path), first);

  write_file(path, R"({"version":1,"hooks":)");
  CliRun malformed = gaia({"hook", "install", "--agent", "cursor"});
  EXPECT_EQ(malformed.exit_code, 2) << describe(malformed);
  EXPECT_NE(malformed.err.find(path + ": not valid JSON"), std::string::npos) << malformed.err;
  EXPECT_EQ(read_file(path), R"({"version":1,"hooks":)");
}

// What install wrote, run as Cursor runs it (/bin/sh -c, its input on stdin), against the real
// server's policy, and doctor content with it.
TEST_F(HookInstallTest, CursorsInstalledHookIsAnsweredByTheServerAndDoctorIsContent) {
  start({"GAIA_PROC_ROOT=" + idle_proc_root()});
  const std::string key = create_user_key("ann", R"({"name":"ann"})");
  ASSERT_EQ(gaia({"hook", "install", "--agent", "cursor"}, url()).exit_code, 0);
  const boost::json::value file = boost::json::parse(read_file(settings(".cursor/hooks.json")));
  const std::string command(
      file.at("hooks").at("beforeShellExecution").at(0).at("command").as_string());
  const auto cursor_runs = [&](const std::string& shell_command) {
    const std::string input =
        boost::json::serialize(boost::json::object{{"conversation_id", "c-1"},
                                                   {"generation_id", "g-1"},
                                                   {"hook_event_name", "beforeShellExecution"},
                                                   {"workspace_roots", boost::json::array{"/src"}},
                                                   {"command", shell_command},
                                                   {"cwd", "/src"}});
    CliRun r = run_program("/bin/sh", {"-c", command}, {"GAIA_KEY=" + key}, input);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return boost::json::parse(r.out);
  };
  const boost::json::value denied = cursor_runs("cd /tmp && rm -rf /");
  EXPECT_EQ(denied.at("permission"), "deny");
  EXPECT_FALSE(std::string(denied.at("agent_message").as_string()).empty());
  EXPECT_EQ(denied.at("user_message"), denied.at("agent_message"));
  EXPECT_EQ(cursor_runs("git status").at("permission"), "allow");
  EXPECT_EQ(cursor_runs("frobnicate --all").at("permission"), "ask");

  CliRun doctor = gaia({"hook", "doctor", "--agent", "cursor", "--scope", "user"}, url(), key);
  EXPECT_EQ(doctor.exit_code, 0) << describe(doctor);
  EXPECT_NE(doctor.out.find("no problems found"), std::string::npos) << doctor.out;
}

TEST_F(HookInstallTest, DoctorNamesACursorHookRunByName) {
  write_file(settings(".cursor/hooks.json"), R"({"version":1,"hooks":{"beforeShellExecution":[
      {"command":"gaia hook pre-tool-use --agent cursor"}]}})");
  CliRun run = gaia({"hook", "doctor", "--agent", "cursor"});
  EXPECT_EQ(run.exit_code, 1) << describe(run);
  EXPECT_NE(run.out.find("runs \"gaia\" by name"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("exited 127 (command not found)"), std::string::npos) << run.out;
  CliRun none = gaia({"hook", "doctor", "--agent", "cursor", "--scope", "project"});
  EXPECT_NE(none.out.find("no Gaia hook is installed for Cursor"), std::string::npos) << none.out;
}

}  // namespace
}  // namespace gaia::testing
