#pragma once
// The child's environment and program lookup: the allowlist taken from the server's
// environment, explicit entries from the request, and PATH resolution done in the parent,
// over the server's PATH, before the command is judged (so a missing program is an error
// before anything is spawned, and the request's env cannot choose the program). Pure
// functions of their arguments apart from resolve_program, which looks at the file system.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gaia::exec::detail {

// True for PATH, HOME, LANG, LC_*, TERM, TZ and USER.
bool is_allowed_env_name(std::string_view name);

// True when `name` matches [A-Za-z_][A-Za-z0-9_]*.
bool is_valid_env_name(std::string_view name);

// The NAME=value entries of `server_env` whose names are allowed; malformed entries dropped.
std::vector<std::string> filter_allowed_env(const std::vector<std::string>& server_env);

// This process's environ as NAME=value strings.
std::vector<std::string> current_environ();

// `allowed` (already filtered) overlaid by `explicit_env`; explicit entries replace allowed
// ones of the same name. kInvalidArgument names the first bad name or a value with a NUL.
[[nodiscard]] core::Result<std::vector<std::string>> build_child_env(
    const std::vector<std::string>& allowed,
    const std::vector<std::pair<std::string, std::string>>& explicit_env);

// The entries of `explicit_env` that change the environment `allowed` gives: names not in it
// or given another value; the last of a repeated name counts. Errors as build_child_env.
[[nodiscard]] core::Result<std::vector<std::pair<std::string, std::string>>> env_changes(
    const std::vector<std::string>& allowed,
    const std::vector<std::pair<std::string, std::string>>& explicit_env);

// The value of NAME in NAME=value entries, if present.
std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view name);

// The absolute file to run for `program`: `program` itself when it contains '/' (taken from
// `cwd`, else the server's cwd, when relative; not checked here), else the first executable regular
// file <dir>/<program> over the absolute entries of `path` (a PATH value; "/bin:/usr/bin" when
// absent). Relative and empty entries are skipped: they would let the command's cwd choose
// the program. kNotFound when nothing matches; kInvalidArgument when only non-executable
// files do.
[[nodiscard]] core::Result<std::string> resolve_program(const std::string& program,
                                                        const std::optional<std::string>& path,
                                                        const std::optional<std::string>& cwd);

}  // namespace gaia::exec::detail
