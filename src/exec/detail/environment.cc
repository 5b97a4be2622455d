#include "exec/detail/environment.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

extern char** environ;

namespace gaia::exec::detail {

namespace {

constexpr std::string_view kDefaultPath = "/bin:/usr/bin";  // glibc's confstr(_CS_PATH)

std::string_view name_of(std::string_view entry) {
  const auto eq = entry.find('=');
  return eq == std::string_view::npos ? std::string_view() : entry.substr(0, eq);
}

}  // namespace

bool is_allowed_env_name(std::string_view name) {
  return name == "PATH" || name == "HOME" || name == "LANG" || name == "TERM" || name == "TZ" ||
         name == "USER" || (name.size() > 3 && name.substr(0, 3) == "LC_");
}

bool is_valid_env_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

std::vector<std::string> filter_allowed_env(const std::vector<std::string>& server_env) {
  std::vector<std::string> out;
  for (const std::string& entry : server_env) {
    const std::string_view name = name_of(entry);
    if (is_valid_env_name(name) && is_allowed_env_name(name)) out.push_back(entry);
  }
  return out;
}

std::vector<std::string> current_environ() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

core::Result<std::vector<std::string>> build_child_env(
    const std::vector<std::string>& allowed,
    const std::vector<std::pair<std::string, std::string>>& explicit_env) {
  std::vector<std::string> out;
  for (const auto& [name, value] : explicit_env) {
    if (!is_valid_env_name(name)) {
      return core::Status::invalid_argument("env: invalid variable name '" + name + "'");
    }
    if (value.find('\0') != std::string::npos) {
      return core::Status::invalid_argument("env: value of " + name + " contains a NUL byte");
    }
  }
  for (const std::string& entry : allowed) {
    const std::string_view name = name_of(entry);
    bool overridden = false;
    for (const auto& kv : explicit_env) overridden = overridden || kv.first == name;
    if (!overridden) out.push_back(entry);
  }
  for (const auto& kv : explicit_env) {
    const std::string& name = kv.first;  // not a structured binding: clang < 16 cannot capture one
    // A name given twice: the last one wins, as in a shell.
    std::erase_if(out, [&](const std::string& e) { return name_of(e) == name; });
    out.push_back(name + "=" + kv.second);
  }
  return out;
}

core::Result<std::vector<std::pair<std::string, std::string>>> env_changes(
    const std::vector<std::string>& allowed,
    const std::vector<std::pair<std::string, std::string>>& explicit_env) {
  auto child = build_child_env(allowed, explicit_env);
  if (!child.ok()) return child.status();
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& entry : child.value()) {
    if (std::find(allowed.begin(), allowed.end(), entry) != allowed.end()) continue;
    const size_t eq = entry.find('=');
    out.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return out;
}

std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& entry : env) {
    if (name_of(entry) == name) return entry.substr(name.size() + 1);
  }
  return std::nullopt;
}

core::Result<std::string> resolve_program(const std::string& program,
                                          const std::optional<std::string>& path,
                                          const std::optional<std::string>& cwd) {
  if (program.empty()) return core::Status::invalid_argument("argv[0] is empty");
  if (program.find('/') != std::string::npos) {
    std::string file = program;
    // Absolute, so that it names the same file whatever directory the child starts in.
    char here[4096];
    const std::string server_cwd = ::getcwd(here, sizeof here) != nullptr ? here : "";
    if (cwd && !cwd->empty() && file[0] != '/') file = *cwd + "/" + file;
    if (file[0] != '/') file = server_cwd + "/" + file;
    return file;  // spawn_child reports a missing or unusable file
  }

  const std::string_view dirs = path ? std::string_view(*path) : kDefaultPath;
  bool found_unexecutable = false;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string_view::npos) end = dirs.size();
    std::string_view dir = dirs.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir[0] != '/') continue;
    std::string candidate;
    candidate.append(dir).append("/").append(program);
    struct stat st;
    if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    found_unexecutable = true;
  }
  if (found_unexecutable) {
    return core::Status::invalid_argument("program '" + program + "' is not executable");
  }
  return core::Status::not_found("program '" + program + "' not found in PATH");
}

}  // namespace gaia::exec::detail
