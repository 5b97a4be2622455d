#include "confirm/code_env.h"

#include <algorithm>

namespace gaia::confirm {
namespace {

using C = CodeEnvClass;

// Sources: ld.so(8), bash(1) INVOCATION and Shell Variables, python(1), perlrun(1), ruby(1),
// node(1), the JDK's launcher, git(1) ENVIRONMENT VARIABLES, less(1), man(1), tar(1),
// ripgrep's RIPGREP_CONFIG_PATH, and GNU make's implicit variables.
constexpr CodeEnvEntry kTable[] = {
    {"PATH", false, C::kProgramLookup},
    {"LD_", true, C::kLoader},  // LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, LD_BIND_NOW, ...
    {"GCONV_PATH", false, C::kLoader},
    {"GLIBC_TUNABLES", false, C::kLoader},
    {"LOCPATH", false, C::kLoader},
    {"BASH_ENV", false, C::kShellStartup},
    {"ENV", false, C::kShellStartup},
    {"BASH_FUNC_", true, C::kShellStartup},
    {"BASHOPTS", false, C::kShellStartup},
    {"SHELLOPTS", false, C::kShellStartup},
    {"PROMPT_COMMAND", false, C::kShellStartup},
    {"PS4", false, C::kShellStartup},
    {"IFS", false, C::kShellStartup},
    {"ZDOTDIR", false, C::kShellStartup},
    {"SHELL", false, C::kShellStartup},
    {"PYTHON", true, C::kInterpreter},  // PYTHONPATH, PYTHONSTARTUP, PYTHONHOME, ...
    {"PERL5OPT", false, C::kInterpreter},
    {"PERL5LIB", false, C::kInterpreter},
    {"PERLLIB", false, C::kInterpreter},
    {"PERL5DB", false, C::kInterpreter},
    {"RUBYOPT", false, C::kInterpreter},
    {"RUBYLIB", false, C::kInterpreter},
    {"NODE_OPTIONS", false, C::kInterpreter},
    {"NODE_PATH", false, C::kInterpreter},
    {"JAVA_TOOL_OPTIONS", false, C::kInterpreter},
    {"_JAVA_OPTIONS", false, C::kInterpreter},
    {"JDK_JAVA_OPTIONS", false, C::kInterpreter},
    {"CLASSPATH", false, C::kInterpreter},
    {"LUA_INIT", true, C::kInterpreter},
    {"LUA_PATH", true, C::kInterpreter},
    {"LUA_CPATH", true, C::kInterpreter},
    {"GIT_ASKPASS", false, C::kGit},
    {"GIT_CONFIG", true, C::kGit},  // GIT_CONFIG, _GLOBAL, _SYSTEM, _COUNT, _KEY_n, _PARAMETERS
    {"GIT_DIR", false, C::kGit},
    {"GIT_EDITOR", false, C::kGit},
    {"GIT_EXEC_PATH", false, C::kGit},
    {"GIT_EXTERNAL_DIFF", false, C::kGit},
    {"GIT_PAGER", false, C::kGit},
    {"GIT_PROXY_COMMAND", false, C::kGit},
    {"GIT_SEQUENCE_EDITOR", false, C::kGit},
    {"GIT_SSH", false, C::kGit},
    {"GIT_SSH_COMMAND", false, C::kGit},
    {"GIT_TEMPLATE_DIR", false, C::kGit},
    {"EDITOR", false, C::kHelper},
    {"VISUAL", false, C::kHelper},
    {"PAGER", false, C::kHelper},
    {"MANPAGER", false, C::kHelper},
    {"MANOPT", false, C::kHelper},
    {"LESSOPEN", false, C::kHelper},
    {"LESSCLOSE", false, C::kHelper},
    {"BROWSER", false, C::kHelper},
    {"SSH_ASKPASS", false, C::kHelper},
    {"SUDO_ASKPASS", false, C::kHelper},
    {"TAR_OPTIONS", false, C::kHelper},
    {"RIPGREP_CONFIG_PATH", false, C::kHelper},
    {"HOME", false, C::kConfigLookup},
    {"XDG_CONFIG_HOME", false, C::kConfigLookup},
    {"XDG_CONFIG_DIRS", false, C::kConfigLookup},
    {"CC", false, C::kBuild},
    {"CXX", false, C::kBuild},
    {"CPP", false, C::kBuild},
    {"LD", false, C::kBuild},
    {"AR", false, C::kBuild},
    {"MAKE", false, C::kBuild},
    {"MAKEFLAGS", false, C::kBuild},
    {"MFLAGS", false, C::kBuild},
    {"RUSTC", false, C::kBuild},
    {"RUSTC_WRAPPER", false, C::kBuild},
    {"GOFLAGS", false, C::kBuild},
};

}  // namespace

std::string_view code_env_class_name(CodeEnvClass c) {
  switch (c) {
    case C::kProgramLookup:
      return "program lookup";
    case C::kLoader:
      return "loader";
    case C::kShellStartup:
      return "shell start-up";
    case C::kInterpreter:
      return "interpreter";
    case C::kGit:
      return "git";
    case C::kHelper:
      return "helper program";
    case C::kConfigLookup:
      return "configuration lookup";
    case C::kBuild:
      return "build tool";
  }
  return "program lookup";
}

std::span<const CodeEnvEntry> code_env_table() { return kTable; }

const CodeEnvEntry* code_env_entry(std::string_view name) {
  for (const CodeEnvEntry& e : kTable) {
    if (e.prefix ? name.starts_with(e.name) : name == e.name) return &e;
  }
  return nullptr;
}

std::vector<CodeEnvFinding> judge_env(std::span<const std::string> names) {
  std::vector<CodeEnvFinding> out;
  for (const std::string& name : names) {
    const CodeEnvEntry* e = code_env_entry(name);
    if (e == nullptr) continue;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const CodeEnvFinding& f) { return f.name == name; });
    if (!seen) out.push_back({name, e->what});
  }
  return out;
}

std::string describe(std::span<const CodeEnvFinding> findings) {
  std::string out = "changes which code runs: ";
  for (size_t i = 0; i < findings.size(); ++i) {
    if (i > 0) out += ", ";
    out += findings[i].name + " (" + std::string(code_env_class_name(findings[i].what)) + ")";
  }
  return out;
}

}  // namespace gaia::confirm
