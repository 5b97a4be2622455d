// gaia hook install's merge of Gaia's hook into an agent's settings: other keys and hooks
// kept, an earlier Gaia hook replaced, the same result when done twice, a document of another
// shape refused.

#include "cli/hook_install.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace gaia::cli {
namespace {

namespace json = boost::json;

HookSetup setup_for(const std::string& agent) {
  return {.agent = find_hook_agent(agent).value(),
          .gaia_path = "/opt/gaia tools/gaia",
          .home = "/home/ann",
          .project_dir = "/src/p"};
}

TEST(HookInstallTest, TheCommandRunsGaiaByItsAbsolutePathQuotedForTheShell) {
  HookSetup s = setup_for("claude");
  s.url = "https://gaia.example";
  EXPECT_EQ(hook_command(s),
            "'/opt/gaia tools/gaia' hook pre-tool-use --agent claude --url https://gaia.example");
  EXPECT_EQ(hook_settings_path(s, HookScope::kUser), "/home/ann/.claude/settings.json");
  EXPECT_EQ(hook_settings_path(s, HookScope::kProject), "/src/p/.claude/settings.json");
}

TEST(HookInstallTest, MergesIntoSettingsKeepingEveryOtherKeyAndHook) {
  json::value settings = json::parse(R"({
    "model": "opus", "permissions": {"allow": ["Read"]},
    "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt"}]}],
              "PreToolUse": [{"matcher": "Bash", "hooks": [
                  {"type": "command", "command": "audit-log"},
                  {"type": "command", "command": "gaia hook pre-tool-use", "timeout": 15}]}]}})");
  json::value merged = merge_hook(settings, setup_for("claude")).value();
  EXPECT_EQ(merged.at("model"), "opus");
  EXPECT_EQ(merged.at("permissions"), settings.at("permissions"));
  EXPECT_EQ(merged.at("hooks").at("PostToolUse"), settings.at("hooks").at("PostToolUse"));
  const json::array& pre = merged.at("hooks").at("PreToolUse").as_array();
  ASSERT_EQ(pre.size(), 2u);
  // The other hook stays; README's bare `gaia` is replaced by the absolute path.
  EXPECT_EQ(pre[0].at("hooks").as_array().size(), 1u);
  EXPECT_EQ(pre[0].at("hooks").at(0).at("command"), "audit-log");
  EXPECT_EQ(pre[1].at("matcher"), "Bash|PowerShell");
  EXPECT_EQ(pre[1].at("hooks").at(0).at("command"),
            "'/opt/gaia tools/gaia' hook pre-tool-use --agent claude");
  EXPECT_EQ(pre[1].at("hooks").at(0).at("timeout"), 15);
}

TEST(HookInstallTest, MergingTwiceChangesNothing) {
  for (const HookAgent& a : hook_agents()) {
    json::value once = merge_hook(json::parse(R"({"x":1})"), setup_for(a.name)).value();
    EXPECT_EQ(merge_hook(once, setup_for(a.name)).value(), once) << a.name;
  }
}

TEST(HookInstallTest, GeminiGetsBeforeToolInMillisecondsAndItsHooksTurnedOn) {
  json::value merged = merge_hook(nullptr, setup_for("gemini")).value();
  const json::value& group = merged.at("hooks").at("BeforeTool").at(0);
  EXPECT_EQ(group.at("matcher"), "run_shell_command");
  EXPECT_EQ(group.at("hooks").at(0).at("timeout"), 15000);
  EXPECT_EQ(merged.at("tools").at("enableHooks"), true);
}

TEST(HookInstallTest, CursorGetsABareHandlerInVersionOneKeepingItsOtherHooks) {
  json::value settings = json::parse(R"({
    "version": 1,
    "hooks": {"afterFileEdit": [{"command": "./hooks/format.sh"}],
              "beforeShellExecution": [{"command": "./hooks/audit.sh"},
                                       {"command": "gaia hook pre-tool-use --agent cursor"},
                                       {"command": "./hooks/block-git.sh"}]}})");
  json::value merged = merge_hook(settings, setup_for("cursor")).value();
  EXPECT_EQ(merged.at("hooks").at("afterFileEdit"), settings.at("hooks").at("afterFileEdit"));
  const json::array& shell = merged.at("hooks").at("beforeShellExecution").as_array();
  ASSERT_EQ(shell.size(), 3u);
  EXPECT_EQ(shell[0].at("command"), "./hooks/audit.sh");
  // The bare `gaia` is replaced in its place by the absolute path, and nothing else is added.
  EXPECT_EQ(shell[1], json::parse(R"({"command":"'/opt/gaia tools/gaia' hook pre-tool-use )"
                                  R"(--agent cursor"})"));
  EXPECT_EQ(shell[2].at("command"), "./hooks/block-git.sh");
  EXPECT_EQ(hook_settings_path(setup_for("cursor"), HookScope::kUser),
            "/home/ann/.cursor/hooks.json");
  EXPECT_EQ(merge_hook(nullptr, setup_for("cursor")).value().at("version"), 1);
  auto v2 = merge_hook(json::parse(R"({"version":2})"), setup_for("cursor"));
  EXPECT_EQ(v2.status().message(), "version: must be 1");
}

TEST(HookInstallTest, ADocumentOfAnotherShapeIsRefusedNamingTheKey) {
  auto r = merge_hook(json::parse(R"({"hooks":[1]})"), setup_for("claude"));
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "hooks: must be an object");
  auto e = merge_hook(json::parse(R"({"hooks":{"PreToolUse":{}}})"), setup_for("claude"));
  EXPECT_EQ(e.status().message(), "hooks.PreToolUse: must be an array");
}

TEST(HookInstallTest, MatchersCoverExactNamesListsAndEverything) {
  EXPECT_TRUE(HookAgent::matcher_covers("Bash|PowerShell", "PowerShell"));
  EXPECT_TRUE(HookAgent::matcher_covers("", "Bash"));
  EXPECT_TRUE(HookAgent::matcher_covers("*", "Bash"));
  EXPECT_FALSE(HookAgent::matcher_covers("Bash", "PowerShell"));
  EXPECT_FALSE(HookAgent::matcher_covers("Bas", "Bash"));
}

}  // namespace
}  // namespace gaia::cli
