#pragma once
// `gaia completion bash|zsh`: a shell completion script for gaia, made from the command
// line's own definition (its subcommands and options), so it never lists a command that is
// not there. bash: `source <(gaia completion bash)`; zsh loads the same script through
// bashcompinit. Words after `--` (exec's command) and option values complete as files.

#include <string>

namespace CLI {
class App;
}

namespace gaia::cli {

// The script for `shell` ("bash" or "zsh") completing the commands of `app`.
std::string completion_script(const CLI::App& app, const std::string& shell);

}  // namespace gaia::cli
