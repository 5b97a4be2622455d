#pragma once
// HookAgent: what differs between the AI coding agents whose pre-tool-use hook gaia answers,
// each from its own published hook protocol (docs/hook.md cites them):
//   claude  Claude Code: PreToolUse in .claude/settings.json; shell tools Bash and PowerShell;
//           answers hookSpecificOutput.permissionDecision allow|deny|ask; timeout in seconds.
//   codex   OpenAI Codex CLI: the same shape in .codex/hooks.json; shell tool Bash; "ask" and a
//           bare "allow" are not accepted there, so ask is answered as deny (the reason says a
//           person must approve) and allow as silence, or as a lone systemMessage when there
//           is one for the user.
//   gemini  Gemini CLI: BeforeTool in .gemini/settings.json; shell tool run_shell_command;
//           answers {"decision":"allow|deny","reason":...}; timeout in milliseconds; ask is
//           answered as deny.
//   cursor  Cursor: beforeShellExecution in .cursor/hooks.json, an event only for shell
//           commands (the command at the top of the input, no tool name, no matcher); answers
//           {"permission":"allow|deny|ask","user_message":...,"agent_message":...}; no timeout.
// Pure data and text; no I/O.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::cli {

enum class Agent { kClaude, kCodex, kGemini, kCursor };

struct HookAgent {
  Agent agent;
  std::string name;                      // "claude": the --agent value
  std::string title;                     // "Claude Code"
  std::string event;                     // "PreToolUse", "BeforeTool"
  std::vector<std::string> shell_tools;  // the tools that run commands: the ones gated
  // Cursor: the event itself means a shell command; "command" is at the top of the input, and
  // hooks.json lists bare handlers (no matcher, type or timeout). shell_tools then holds the
  // one name Gaia records the command under.
  bool shell_event = false;
  std::string settings_dir;          // ".claude": under $HOME or the project directory
  std::string settings_file;         // "settings.json"
  std::chrono::seconds timeout{15};  // what install writes as the agent's timeout
  bool timeout_in_ms = false;        // Gemini counts its timeout in milliseconds

  // The matcher install writes: every shell tool ("Bash|PowerShell").
  std::string matcher() const;
  bool is_shell_tool(std::string_view tool_name) const;
  // Whether `matcher` (as the agent reads it: empty or "*" all tools, else an alternation of
  // exact names or a regular expression) covers `tool`. Only exact names and "|" lists are
  // understood; another regular expression counts as not covering, to be safe.
  static bool matcher_covers(std::string_view matcher, std::string_view tool);
};

// The agents gaia answers, claude first.
const std::vector<HookAgent>& hook_agents();
// The agent named `name`, or nullopt.
std::optional<HookAgent> find_hook_agent(std::string_view name);

// What the hook decided and why.
struct HookVerdict {
  std::string decision;  // allow | deny | ask
  std::string reason;
  std::string message;  // for the agent to show its user (quota warnings); "" for none
};

// The hook's answer as `agent` reads it: what to print on stdout ("" for nothing) and on
// stderr, and the exit code. `exit_code_only`: no JSON, exit 0 to allow and 2 with the reason
// on stderr to block (deny and ask alike).
struct HookAnswer {
  std::string out;
  std::string err;
  int exit_code = 0;
};
HookAnswer render_hook_answer(const HookAgent& agent, const HookVerdict& verdict,
                              bool exit_code_only);

}  // namespace gaia::cli
