#pragma once
// `gaia hook pre-tool-use`: the pre-tool-use hook of an AI coding agent (Claude Code, Codex,
// Gemini CLI, Cursor: cli/hook_agent.h; docs/hook.md). Reads the hook's JSON on stdin
// ({"tool_name": "Bash","tool_input":{"command":...},"session_id":...,"cwd":...}), asks Gaia (POST
// /api/claude/confirm/request), and for a command the policy approves checks the shell quota (POST
// /api/v1/check: refused for quota or load is deny; under load it waits the delay first; quota
// warnings become a systemMessage, or lines on stderr in exit-code mode). It answers:
//   JSON mode (default): prints {"hookSpecificOutput":{"hookEventName":"PreToolUse",
//     "permissionDecision":"allow|deny|ask","permissionDecisionReason":"..."}}, exits 0.
//   --exit-code-only: exits 0 to allow, 2 with the reason on stderr to block (deny, and ask,
//     which such agents cannot show to a person).
// A tool other than Bash passes untouched: no output, exit 0. Cursor's beforeShellExecution
// carries {"command":...,"cwd":...,"conversation_id":...}; another Cursor event passes too. When
// Gaia cannot be asked (down, too slow, no key, an answer it cannot read) the fallback decides (ask
// by default), within the hook's own deadline: the hook never hangs the agent.
//
// Threads: one call at a time.

#include <chrono>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "cli/hook_agent.h"
#include "cli/http_client.h"
#include "core/clock.h"

namespace gaia::cli {

struct HookOptions {
  std::chrono::milliseconds timeout{5000};  // the whole exchange with Gaia
  bool exit_code_only = false;
  std::string fallback = "ask";  // allow | deny | ask
  HookAgent agent = hook_agents().front();
  std::string ca_file = "";  // CA certificates for an https:// Gaia; empty: the system's
};

// The hook's answer for Gaia's confirm answer body (decision approve|deny|ask), or nullopt
// when the body is not such an answer.
std::optional<HookVerdict> verdict_from_answer(std::string_view body);

// Runs the hook: returns the exit code; `out` gets the JSON, `err` the reason in exit-code
// mode. An empty `key` counts as Gaia being unavailable. A throttle's delay is waited by
// `clock`.
int run_pre_tool_use(std::istream& in, std::ostream& out, std::ostream& err, const Url& url,
                     const std::string& key, const HookOptions& options, const core::Clock& clock);

}  // namespace gaia::cli
