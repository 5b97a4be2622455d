#pragma once
// The environment variables that change which code a command runs: the program a name
// resolves to (PATH), the libraries the loader maps (LD_*), the scripts a shell or an
// interpreter runs first (BASH_ENV, PYTHONSTARTUP, NODE_OPTIONS, ...), the helper programs
// tools start (GIT_SSH_COMMAND, PAGER, ...) and the configuration files that name such
// programs (HOME, GIT_CONFIG_*). This table is the one place that lists them; the policy
// answers at least ask for a command that sets one (see docs/confirm.md, "Environment").
// Pure data and functions; any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gaia::confirm {

enum class CodeEnvClass : uint8_t {
  kProgramLookup,  // which file a program name runs
  kLoader,         // what the dynamic loader maps into every program
  kShellStartup,   // code a shell runs before or while it runs the command
  kInterpreter,    // code an interpreter (Python, Perl, Ruby, Node, Java, Lua) loads first
  kGit,            // programs and configuration git runs or reads
  kHelper,         // helper programs tools start (pagers, editors, askpass, archivers)
  kConfigLookup,   // where tools find configuration files that may name programs
  kBuild,          // compilers and build tools that build tools run
};

std::string_view code_env_class_name(CodeEnvClass c);

struct CodeEnvEntry {
  std::string_view name;  // exact, or a prefix when `prefix`
  bool prefix = false;
  CodeEnvClass what = CodeEnvClass::kProgramLookup;
};

// Every entry, for the docs and tests.
std::span<const CodeEnvEntry> code_env_table();

// The entry that makes `name` change which code runs, if any.
const CodeEnvEntry* code_env_entry(std::string_view name);

// A variable of `env` that changes which code runs.
struct CodeEnvFinding {
  std::string name;
  CodeEnvClass what = CodeEnvClass::kProgramLookup;
};

// The variables of `names` (in order, each once) that change which code runs.
std::vector<CodeEnvFinding> judge_env(std::span<const std::string> names);

// "changes which code runs: PATH (program lookup), LD_PRELOAD (loader)". REQUIRES: non-empty.
std::string describe(std::span<const CodeEnvFinding> findings);

}  // namespace gaia::confirm
