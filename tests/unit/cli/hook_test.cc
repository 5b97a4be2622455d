// gaia hook pre-tool-use on real payloads: passing other tools through, reading Gaia's
// answer, and answering the fallback within its deadline when Gaia is down.

#include "cli/hook.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <sstream>

#include "support/loopback_port.h"
#include "support/manual_clock.h"

namespace gaia::cli {
namespace {

// A socket that accepts connections (the kernel completes them) but never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

constexpr const char* kBashPayload =
    R"({"session_id":"s-1","transcript_path":"/t","cwd":"/src","hook_event_name":"PreToolUse",
        "tool_name":"Bash","tool_input":{"command":"rm -rf /","description":"x"},
        "tool_use_id":"t1"})";

// No answer here carries a throttle delay, so the clock is never waited on.
const testing::ManualClock clock;

Url url_of(uint16_t port) {
  return parse_server_url("http://127.0.0.1:" + std::to_string(port)).value();
}

TEST(HookTest, OtherToolsPassThroughSilently) {
  std::istringstream in(R"({"tool_name":"Edit","tool_input":{"file_path":"/x"}})");
  std::ostringstream out, err;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(testing::free_port()), "k", {}, clock), 0);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "");
}

TEST(HookTest, GaiaDownAnswersTheFallbackAsHookJson) {
  std::istringstream in(kBashPayload);
  std::ostringstream out, err;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(testing::free_port()), "k", {}, clock), 0);
  boost::json::value v = boost::json::parse(out.str());
  const auto& o = v.at("hookSpecificOutput");
  EXPECT_EQ(o.at("hookEventName"), "PreToolUse");
  EXPECT_EQ(o.at("permissionDecision"), "ask");
  EXPECT_NE(std::string(o.at("permissionDecisionReason").as_string()).find("fallback"),
            std::string::npos);
}

TEST(HookTest, ASilentGaiaIsGivenUpOnAtTheDeadline) {
  SilentServer silent;
  std::istringstream in(kBashPayload);
  std::ostringstream out, err;
  HookOptions options;
  options.timeout = std::chrono::milliseconds(300);
  options.fallback = "deny";
  options.exit_code_only = true;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(silent.port()), "k", options, clock), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("blocked"), std::string::npos) << err.str();
}

TEST(HookTest, NoKeyIsTheFallbackToo) {
  std::istringstream in(kBashPayload);
  std::ostringstream out, err;
  HookOptions options;
  options.fallback = "allow";
  options.exit_code_only = true;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(testing::free_port()), "", options, clock), 0);
}

// Each agent's documented pre-tool-use input for a shell command (docs/hook.md): Gaia is down,
// so the fallback decides, and the answer is in that agent's own form.
struct AgentRun {
  int code = -1;
  std::string out, err;
};
AgentRun run_as(const std::string& agent, const std::string& payload, const std::string& fallback,
                bool exit_code_only = false) {
  std::istringstream in(payload);
  std::ostringstream out, err;
  HookOptions options;
  options.agent = find_hook_agent(agent).value();
  options.fallback = fallback;
  options.exit_code_only = exit_code_only;
  AgentRun r;
  r.code = run_pre_tool_use(in, out, err, url_of(testing::free_port()), "k", options, clock);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(HookTest, ClaudesPowerShellToolIsGatedLikeBash) {
  const std::string payload =
      R"({"session_id":"s","transcript_path":"/t","cwd":"C:\src","hook_event_name":"PreToolUse",
          "tool_name":"PowerShell","tool_input":{"command":"Remove-Item -Recurse C:\src"},
          "tool_use_id":"t2"})";
  AgentRun r = run_as("claude", payload, "deny");
  EXPECT_EQ(r.code, 0);
  boost::json::value v = boost::json::parse(r.out);
  EXPECT_EQ(v.at("hookSpecificOutput").at("permissionDecision"), "deny");
}

TEST(HookTest, CodexGetsDenyForAskAndSilenceForAllow) {
  const std::string payload =
      R"({"session_id":"s","transcript_path":"/t","cwd":"/src","hook_event_name":"PreToolUse",
          "model":"gpt-5","turn_id":"u1","tool_name":"Bash","tool_input":{"command":"make"},
          "tool_use_id":"t3"})";
  AgentRun ask = run_as("codex", payload, "ask");
  EXPECT_EQ(ask.code, 0);
  const boost::json::value answer = boost::json::parse(ask.out);
  const boost::json::value& o = answer.at("hookSpecificOutput");
  EXPECT_EQ(o.at("permissionDecision"), "deny");  // Codex cannot ask a person from a hook
  EXPECT_NE(std::string(o.at("permissionDecisionReason").as_string()).find("approval"),
            std::string::npos);
  AgentRun allow = run_as("codex", payload, "allow");
  EXPECT_EQ(allow.code, 0);
  EXPECT_EQ(allow.out, "");  // Codex takes "allow" only with a rewritten input
}

// A quota warning is for the agent's user: each agent gets it where it shows its user a
// message, Codex too, whose allow is otherwise silence (and which ignores stderr on exit 0).
TEST(HookTest, EveryAgentShowsAQuotaWarningToItsUser) {
  const HookVerdict allowed{"allow", "", "gaia: warning: quota shell-day of shell at 80 %"};
  for (const std::string agent : {"claude", "codex", "gemini"}) {
    HookAnswer a = render_hook_answer(find_hook_agent(agent).value(), allowed, false);
    EXPECT_EQ(a.exit_code, 0) << agent;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(a.out, ec);
    ASSERT_FALSE(ec) << agent << ": " << a.out;
    EXPECT_EQ(v.at("systemMessage"), "gaia: warning: quota shell-day of shell at 80 %") << agent;
  }
  // Codex: nothing but the message, so the call runs as a bare allow would.
  EXPECT_EQ(render_hook_answer(find_hook_agent("codex").value(), allowed, false).out,
            R"({"systemMessage":"gaia: warning: quota shell-day of shell at 80 %"})"
            "\n");
}

TEST(HookTest, GeminiShellCommandsGetItsDecisionForm) {
  const std::string payload =
      R"({"session_id":"s","transcript_path":"/t","cwd":"/src","hook_event_name":"BeforeTool",
          "timestamp":"2026-12-01T10:30:00Z","tool_name":"run_shell_command",
          "tool_input":{"command":"rm -rf build","description":"clean"}})";
  AgentRun ask = run_as("gemini", payload, "ask");
  EXPECT_EQ(ask.code, 0);
  boost::json::value v = boost::json::parse(ask.out);
  EXPECT_EQ(v.at("decision"), "deny");
  EXPECT_NE(std::string(v.at("reason").as_string()).find("approval"), std::string::npos);
  EXPECT_EQ(boost::json::parse(run_as("gemini", payload, "allow").out).at("decision"), "allow");
  AgentRun other = run_as("gemini",
                          R"({"hook_event_name":"BeforeTool","tool_name":"read_file",
                              "tool_input":{"file_path":"/x"}})",
                          "deny");
  EXPECT_EQ(other.code, 0);
  EXPECT_EQ(other.out, "");  // not a shell tool: passes untouched
}

// Cursor's documented beforeShellExecution input: the command at the top, no tool name.
constexpr const char* kCursorPayload =
    R"({"conversation_id":"c-1","generation_id":"g-1","hook_event_name":"beforeShellExecution",
        "workspace_roots":["/src"],"command":"rm -rf build","cwd":"/src"})";

TEST(HookTest, CursorShellCommandsGetItsPermissionForm) {
  AgentRun ask = run_as("cursor", kCursorPayload, "ask");
  EXPECT_EQ(ask.code, 0);
  const boost::json::value v = boost::json::parse(ask.out);
  EXPECT_EQ(v.at("permission"), "ask");  // Cursor asks its user itself
  EXPECT_NE(std::string(v.at("user_message").as_string()).find("fallback"), std::string::npos);
  AgentRun deny = run_as("cursor", kCursorPayload, "deny");
  const boost::json::value d = boost::json::parse(deny.out);
  EXPECT_EQ(d.at("permission"), "deny");
  // The reason goes to both: the user sees why, and the model is told not to retry blindly.
  EXPECT_EQ(d.at("user_message"), d.at("agent_message"));
  EXPECT_NE(std::string(d.at("agent_message").as_string()).find("fallback deny"),
            std::string::npos);
  const boost::json::value a = boost::json::parse(run_as("cursor", kCursorPayload, "allow").out);
  EXPECT_EQ(a.at("permission"), "allow");
  EXPECT_FALSE(a.as_object().contains("agent_message"));
}

TEST(HookTest, CursorsOtherEventsPassUntouched) {
  AgentRun mcp = run_as("cursor",
                        R"({"hook_event_name":"beforeMCPExecution","conversation_id":"c",
                            "tool_name":"db","tool_input":"{}","command":"npx mcp"})",
                        "deny");
  EXPECT_EQ(mcp.code, 0);
  EXPECT_EQ(mcp.out, "");
  // A shell event without a command is not let through: the fallback decides.
  AgentRun empty =
      run_as("cursor", R"({"hook_event_name":"beforeShellExecution","cwd":"/src"})", "deny");
  EXPECT_EQ(boost::json::parse(empty.out).at("permission"), "deny");
}

TEST(HookTest, CursorShowsQuotaWarningsAndWaitsToItsUserOnAllow) {
  const HookVerdict allowed{"allow", "Gaia: the machine is under load, waited 700 ms",
                            "gaia: warning: quota shell-day of shell at 80 %"};
  HookAnswer a = render_hook_answer(find_hook_agent("cursor").value(), allowed, false);
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.out,
            R"({"permission":"allow","user_message":"gaia: warning: quota shell-day of shell at )"
            R"(80 %\nGaia: the machine is under load, waited 700 ms"})"
            "\n");
}

TEST(HookTest, ExitCodeOnlyBlocksWithTwoForEveryAgent) {
  for (const HookAgent& a : hook_agents()) {
    const std::string payload = a.shell_event ? std::string(kCursorPayload)
                                              : R"({"tool_name":")" + a.shell_tools.front() +
                                                    R"(","tool_input":{"command":"ls"}})";
    AgentRun r = run_as(a.name, payload, "deny", true);
    EXPECT_EQ(r.code, 2) << a.name;
    EXPECT_EQ(r.out, "") << a.name;
  }
}

TEST(HookTest, GaiaAnswersMapToHookDecisions) {
  EXPECT_EQ(verdict_from_answer(R"({"decision":"approve","reason":"ok"})")->decision, "allow");
  EXPECT_EQ(verdict_from_answer(R"({"decision":"deny","reason":"no"})")->reason, "no");
  EXPECT_EQ(verdict_from_answer(R"({"decision":"ask"})")->decision, "ask");
  EXPECT_FALSE(verdict_from_answer(R"({"decision":"perhaps"})").has_value());
  EXPECT_FALSE(verdict_from_answer("<html>").has_value());
}

}  // namespace
}  // namespace gaia::cli
