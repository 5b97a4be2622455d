#pragma once
// What shell_split knows about commands that run other commands: wrappers (sudo, env, nohup,
// time, nice, xargs, ...), shells given a script (`bash -c 'body'`, `eval ...`, `su -c`) and
// shells reading their script from standard input (`curl x | bash`, `bash <<EOF`).
// Pure functions over argv; any thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::confirm::detail {

enum class Wrapped : uint8_t {
  kNone,        // argv runs nothing else (or we cannot tell what)
  kCommand,     // argv[inner..] is a command, after `assignments`
  kShellBody,   // `body` is a shell script to split again
  kStdinShell,  // a shell that reads its script from standard input
};

struct Unwrapped {
  Wrapped what = Wrapped::kNone;
  size_t inner = 0;                      // kCommand: index of the wrapped command in argv
  std::vector<std::string> assignments;  // kCommand: NAME=VALUE set by the wrapper (env, sudo)
  std::vector<std::string> implied;      // kCommand: the command when argv has none (xargs: echo)
  std::string body;                      // kShellBody
};

// The command `argv` wraps, if any. REQUIRES: !argv.empty().
Unwrapped unwrap(const std::vector<std::string>& argv);

// sh, bash, zsh, dash, ksh, mksh, ash, and their absolute paths.
bool is_shell(std::string_view name);

// True for NAME=value and NAME+=value, NAME a shell identifier (optionally NAME[index]).
bool is_assignment(std::string_view word);

// The last path component of `word` ("rm" for "/bin/rm").
std::string_view basename_of(std::string_view word);

}  // namespace gaia::confirm::detail
