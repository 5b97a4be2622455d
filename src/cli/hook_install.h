#pragma once
// `gaia hook install` and `gaia hook doctor`: put Gaia's pre-tool-use hook into an agent's
// settings so that it cannot be silently off, and say what is wrong when it is.
//
// install writes, for the agent (cli/hook_agent.h) and scope (user: under $HOME; project:
// under the current directory), one hook group into the agent's settings file: the matcher
// naming every shell tool of the agent (Cursor: a bare handler under beforeShellExecution, and
// "version": 1), and the command running this gaia by its absolute path (an agent's shell that
// cannot find a bare `gaia` exits 127, which agents treat as "let it run"). It merges into an
// existing file, keeping every other key and hook, replaces an earlier Gaia hook instead of adding
// a second, and leaves a file that already says the same untouched. It refuses a file that is not a
// JSON object (nothing written, exit 2). It then tries the command as the agent would (/bin/sh -c,
// a hook payload on stdin) and fails unless the hook answers.
//
// doctor reads the same files and says, one line each, what would let a command through:
// no Gaia hook, a matcher missing a shell tool, a command run by name or not executable, an
// agent timeout shorter than the hook's own deadline, a hook that does not answer when tried,
// no GAIA_KEY, a server that cannot be reached or refuses the key.
//
// Threads: one call at a time (they read the environment and write files).

#include <boost/json/value.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "cli/hook_agent.h"
#include "cli/http_client.h"
#include "core/clock.h"
#include "core/status.h"

namespace gaia::cli {

enum class HookScope { kUser, kProject };

struct HookSetup {
  HookAgent agent = hook_agents().front();
  std::string gaia_path = "";    // this program's absolute path
  std::string home = "";         // $HOME, for the user scope
  std::string project_dir = "";  // the current directory, for the project scope
  // Written into the command as --url and --ca-file when given; doctor uses them too.
  std::optional<std::string> url = std::nullopt;
  std::string ca_file = "";  // CA certificates for an https:// server
  // doctor: the server to try, and the key to try it with ("": none).
  std::optional<Url> server = std::nullopt;
  std::string key = "";
};

// The settings file of `agent` in `scope`: "<home>/.claude/settings.json".
std::string hook_settings_path(const HookSetup& setup, HookScope scope);

// The command line the agent runs: "'/usr/bin/gaia' hook pre-tool-use --agent claude".
std::string hook_command(const HookSetup& setup);

// `settings` with Gaia's hook group in it (see above). kInvalidArgument naming the key when
// the document's "hooks" or the event's entry is not of the agent's shape.
[[nodiscard]] core::Result<boost::json::value> merge_hook(boost::json::value settings,
                                                          const HookSetup& setup);

// Exit codes: 0 installed (or already), 2 a file that cannot be read, parsed or written, or a
// hook that does not answer when tried (within a deadline by `clock`).
int install_hook(const HookSetup& setup, HookScope scope, const core::Clock& clock,
                 std::ostream& out, std::ostream& err);

// Exit codes: 0 nothing wrong, 1 something is (each problem a line "problem: ..."), with
// `scope` the one file to look at, else both.
int hook_doctor(const HookSetup& setup, std::optional<HookScope> scope, const core::Clock& clock,
                std::ostream& out);

}  // namespace gaia::cli
