#pragma once
// The child's environment and program lookup: the allowlist taken from the server's
// environment, explicit entries from the request, and execvp-like PATH resolution done in the
// parent (so a missing program is an error before anything is spawned). Pure functions of
// their arguments apart from resolve_program, which looks at the file system.

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

// The value of NAME in NAME=value entries, if present.
std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view name);

// The file execvp would run for `program`: `program` itself when it contains '/', else the
// first executable regular file <dir>/<program> over `path` (a PATH value; "/bin:/usr/bin"
// when absent; relative and empty entries are taken from `cwd`, else the server's cwd).
// kNotFound when nothing matches; kInvalidArgument when only non-executable files do.
[[nodiscard]] core::Result<std::string> resolve_program(const std::string& program,
                                                        const std::optional<std::string>& path,
                                                        const std::optional<std::string>& cwd);

}  // namespace gaia::exec::detail
