#pragma once
// What an approving pattern never approves: per tool, the options (and operands) that run a
// program, write a file or change the system, from each tool's manual and GTFOBins. The
// policy checks every command part an approve pattern matched against this table and asks
// about it instead (source "option"); a tool that is not in the table has no such option.
//
// Options are read as the tool reads them: `--opt=value` and `--opt value`, unique
// abbreviations of long options as getopt_long accepts them (`--out` for `--output`; any
// prefix of a forbidden name counts), short options joined in one word (`-fs`) up to one that
// takes an argument, old-style tar letters (`tar xf a.tar`), whole words for find (`-exec`),
// and nothing after `--`. git's options are read before and after its subcommand.
// Pure functions; any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::confirm {

enum class OptionEffect : uint8_t { kRunsProgram, kWritesFile, kChangesSystem };

std::string_view option_effect_name(OptionEffect e);  // "runs a program", ...

// One forbidden use found in a command.
struct ForbiddenUse {
  std::string tool;     // the basename of argv[0]
  std::string written;  // the word as written: "--out=x", "-us", "0101"
  std::string option;   // what it is: "--output", "-s", "an operand", "a script with w"
  OptionEffect effect = OptionEffect::kRunsProgram;

  std::string reason() const;  // "git diff --output writes a file (written --out=x)"
};

// A row of the table, for docs and tests: tool, spelling, effect.
struct ToolOptionRow {
  std::string_view tool;
  std::string_view option;
  OptionEffect effect;
};
std::vector<ToolOptionRow> tool_option_rows();

// Whether `tool` (a basename) has forbidden options.
bool has_option_rules(std::string_view tool);

// The first forbidden use in `argv` (argv[0] names the tool, by basename). With
// `arguments_added` (xargs appends words at run time) any tool of the table is a finding,
// since its options cannot be seen. nullopt: nothing forbidden.
std::optional<ForbiddenUse> find_forbidden_use(const std::vector<std::string>& argv,
                                               bool arguments_added);

}  // namespace gaia::confirm
