#pragma once
// Splits a shell command line the way a POSIX shell (bash) would parse it, into the simple
// commands it would run, so that each can be judged on its own. Nothing is expanded or run:
// variables, globs and `~` stay as written; quotes and backslashes are removed from words.
//
// What becomes a part:
//   - every simple command, wherever it sits: lists (; & && || newline), pipelines (| |&),
//     subshells ( ), groups { ; }, if/while/until/for/case bodies, function bodies, command
//     substitutions $( ) and ` ` (nested), process substitutions <( ) >( ), substitutions inside
//     ${ } and unquoted here-documents, and the bodies of `bash -c '...'` (sh, zsh, dash, ksh,
//     mksh, ash), `eval ...`, `su -c '...'`, and of a here-document or here-string fed to a bare
//     shell: each re-split, one level deeper.
//   - Assignments before a command (`FOO=1 rm x`) are stripped from its argv and reported as
//     kAssignment context parts ("FOO=1").
//
// Command parts and context parts. A part of kind kCommand is a command that must be judged;
// every other kind is context that a pattern MAY match, which can only make the answer stricter:
//   kWrapper     a wrapper as written: `sudo -u x rm -rf /` -> wrapper part "sudo -u x rm -rf /"
//                plus the command part "rm -rf /" (also for env, nohup, time, nice, xargs, ...;
//                `bash -c 'body'` -> wrapper part plus the parts of body).
//   kPipeline    a pipeline of several commands, its parts' texts joined by " | ".
//   kRedirect    a redirection: "> /dev/sda", "2>&1", ">> log".
//   kFunction    a function definition: "name() { <body source, blanks collapsed> }".
//   kAssignment  "NAME=value", before a command or alone.
//   kAlias       the basename form of a command named by path: `./rm -rf /` -> "rm -rf /".
//                A command from a system directory (/bin, /usr/bin, /usr/local/bin, /sbin,
//                /usr/sbin) is judged by its basename, and its path form becomes the kAlias.
//   kCondition   a test or arithmetic command: "[[ -f x ]]", "(( i++ ))".
//
// Threads: pure functions, callable from any thread.
//
// Example:
//   auto parts = split_command("cd x && FOO=1 sudo rm -rf \"/\"");
//   // parts: "cd x" (kCommand), "FOO=1" (kAssignment), "sudo rm -rf /" (kWrapper),
//   //        "rm -rf /" (kCommand)

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::confirm {

enum class PartKind : uint8_t {
  kCommand,
  kWrapper,
  kPipeline,
  kRedirect,
  kFunction,
  kAssignment,
  kAlias,
  kCondition,
};

std::string_view part_kind_name(PartKind kind);

struct CommandPart {
  PartKind kind = PartKind::kCommand;
  std::vector<std::string> argv;  // unquoted words; for kRedirect: {operator, target}
  std::string text;               // argv joined by single spaces (see kinds above)
  int depth = 0;                  // 0: top level; +1 per substitution, body or wrapper
};

struct SplitLimits {
  size_t max_input_bytes = 64 * 1024;
  int max_depth = 32;  // nesting of substitutions, subshells, groups, compounds, bodies, wrappers
  size_t max_parts = 4096;
  size_t max_output_bytes = 4 * 1024 * 1024;  // sum of all parts' texts
};

// The parts of `command`, in the order the shell would start them (substitutions before the
// command that uses them). Fails with kInvalidArgument naming the problem and its byte offset
// on an unterminated quote or substitution, an unbalanced ( ) { } or keyword, a stray
// operator, input longer than max_input_bytes, nesting deeper than max_depth, or output over
// max_parts / max_output_bytes. Recursion is bounded: at most about a dozen stack frames per
// level of max_depth, whatever the input.
[[nodiscard]] core::Result<std::vector<CommandPart>> split_command(std::string_view command,
                                                                   const SplitLimits& limits = {});

// Decodes the body of a $'...' string (\n \t \\ \' \" \xHH \NNN \uHHHH \cX ...).
std::string decode_ansi_c(std::string_view body);

}  // namespace gaia::confirm
