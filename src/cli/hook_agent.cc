#include "cli/hook_agent.h"

#include <algorithm>
#include <boost/json.hpp>

namespace gaia::cli {

std::string HookAgent::matcher() const {
  std::string out;
  for (const std::string& tool : shell_tools) out += (out.empty() ? "" : "|") + tool;
  return out;
}

bool HookAgent::is_shell_tool(std::string_view tool_name) const {
  return std::find(shell_tools.begin(), shell_tools.end(), tool_name) != shell_tools.end();
}

bool HookAgent::matcher_covers(std::string_view matcher, std::string_view tool) {
  if (matcher.empty() || matcher == "*") return true;
  for (size_t start = 0;;) {
    const size_t bar = matcher.find('|', start);
    if (matcher.substr(start, bar - start) == tool) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

const std::vector<HookAgent>& hook_agents() {
  static const std::vector<HookAgent> agents = {
      {.agent = Agent::kClaude,
       .name = "claude",
       .title = "Claude Code",
       .event = "PreToolUse",
       .shell_tools = {"Bash", "PowerShell"},
       .settings_dir = ".claude",
       .settings_file = "settings.json"},
      {.agent = Agent::kCodex,
       .name = "codex",
       .title = "OpenAI Codex CLI",
       .event = "PreToolUse",
       .shell_tools = {"Bash"},
       .settings_dir = ".codex",
       .settings_file = "hooks.json"},
      {.agent = Agent::kGemini,
       .name = "gemini",
       .title = "Gemini CLI",
       .event = "BeforeTool",
       .shell_tools = {"run_shell_command"},
       .settings_dir = ".gemini",
       .settings_file = "settings.json",
       .timeout_in_ms = true},
      {.agent = Agent::kCursor,
       .name = "cursor",
       .title = "Cursor",
       .event = "beforeShellExecution",
       .shell_tools = {"Shell"},
       .shell_event = true,
       .settings_dir = ".cursor",
       .settings_file = "hooks.json"},
  };
  return agents;
}

std::optional<HookAgent> find_hook_agent(std::string_view name) {
  for (const HookAgent& a : hook_agents()) {
    if (a.name == name) return a;
  }
  return std::nullopt;
}

HookAnswer render_hook_answer(const HookAgent& agent, const HookVerdict& v, bool exit_code_only) {
  HookAnswer a;
  const std::string warnings = v.message.empty() ? "" : v.message + "\n";
  if (exit_code_only) {
    a.err = warnings;
    if (v.decision == "allow") return a;
    a.err += (v.decision == "ask" ? "needs a person's approval: " : "blocked by Gaia: ") +
             v.reason + "\n";
    a.exit_code = 2;
    return a;
  }
  // Codex and Gemini cannot ask a person from a hook: a command that needs one is denied, and
  // the reason says so, so the agent can tell its user to run it by hand.
  const bool ask = v.decision == "ask";
  const bool can_ask = agent.agent == Agent::kClaude || agent.agent == Agent::kCursor;
  const std::string reason =
      ask && !can_ask ? "needs a person's approval (run it yourself): " + v.reason : v.reason;
  boost::json::object o;
  switch (agent.agent) {
    case Agent::kClaude:
      o = {{"hookSpecificOutput",
            {{"hookEventName", agent.event},
             {"permissionDecision", v.decision},
             {"permissionDecisionReason", reason}}}};
      // Claude shows a systemMessage to its user: where quota warnings belong.
      if (!v.message.empty()) o["systemMessage"] = v.message;
      break;
    case Agent::kCodex:
      // Codex takes "allow" only with a rewritten input; saying nothing lets the call run. A
      // message for the user goes alone as systemMessage, which Codex shows as a warning
      // (what a hook writes on stderr with exit 0 is not shown).
      if (v.decision == "allow") {
        if (!v.message.empty()) {
          a.out = boost::json::serialize(boost::json::object{{"systemMessage", v.message}}) + "\n";
        }
        return a;
      }
      o = {{"hookSpecificOutput",
            {{"hookEventName", agent.event},
             {"permissionDecision", "deny"},
             {"permissionDecisionReason", reason.empty() ? "denied by Gaia" : reason}}}};
      break;
    case Agent::kGemini:
      o = {{"decision", v.decision == "allow" ? "allow" : "deny"}, {"reason", reason}};
      if (!v.message.empty()) o["systemMessage"] = v.message;
      break;
    case Agent::kCursor: {
      // Cursor shows user_message to its user and gives agent_message to the model: a block
      // is explained to both; an allowed command tells the user only of warnings and waits.
      o = {{"permission", v.decision}};
      if (v.decision == "allow") {
        std::string note = v.message;
        if (!reason.empty()) note += (note.empty() ? "" : "\n") + reason;
        if (!note.empty()) o["user_message"] = note;
      } else {
        const std::string why = reason.empty() ? "denied by Gaia" : reason;
        o["user_message"] = v.message.empty() ? why : v.message + "\n" + why;
        o["agent_message"] = why;
      }
      break;
    }
  }
  a.out = boost::json::serialize(o) + "\n";
  return a;
}

}  // namespace gaia::cli
