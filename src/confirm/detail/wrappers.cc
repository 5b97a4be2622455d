#include "confirm/detail/wrappers.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace gaia::confirm::detail {
namespace {

// How a wrapper's own options look, so that its wrapped command can be found.
struct WrapperSpec {
  std::string_view name;
  std::string_view short_with_arg;  // letters whose option takes the next word
  std::string_view long_with_arg;   // long options taking the next word, each between spaces
  int positionals = 0;              // words between the options and the command (timeout DURATION)
  bool assignments = false;         // NAME=VALUE words may precede the command (env, sudo)
  bool digit_flags = false;         // -10 is a flag (nice)
  const char* implied = nullptr;    // the command when none is given (xargs: echo)
};

const WrapperSpec kWrappers[] = {
    {"sudo", "CDghpRrtTUu",
     " --close-from --chdir --group --host --prompt --chroot --role --type --command-timeout "
     "--other-user --user ",
     0, true},
    {"doas", "uC", "", 0, false},
    {"env", "uC", " --unset --chdir ", 0, true},
    {"nohup", "", "", 0, false},
    {"time", "fo", " --format --output ", 0, false},
    {"nice", "n", " --adjustment ", 0, false, true},
    {"ionice", "cnP", " --class --classdata --pgid ", 0, false},
    {"timeout", "sk", " --signal --kill-after ", 1, false},
    {"stdbuf", "ioe", " --input --output --error ", 0, false},
    {"xargs", "adEILnPs",
     " --arg-file --delimiter --max-args --max-procs --max-chars --process-slot-var ", 0, false,
     false, "echo"},
    {"exec", "a", "", 0, false},
    {"command", "", "", 0, false},
    {"builtin", "", "", 0, false},
    {"setsid", "", "", 0, false},
    {"pkexec", "", " --user ", 0, false},
};

const WrapperSpec* find_wrapper(std::string_view name) {
  for (const WrapperSpec& w : kWrappers) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& argv, size_t from) {
  std::string out;
  for (size_t i = from; i < argv.size(); ++i) {
    if (i > from) out += ' ';
    out += argv[i];
  }
  return out;
}

// `bash [options] -c body`, `bash [options]` (stdin), `bash script` (a file: nothing to split).
Unwrapped unwrap_shell(const std::vector<std::string>& argv) {
  Unwrapped u;
  bool has_c = false;
  bool has_s = false;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
    if (a[0] == '-' && a[1] == '-') {
      if (a == "--rcfile" || a == "--init-file") ++i;
      continue;
    }
    for (size_t k = 1; k < a.size(); ++k) {
      if (a[0] == '-' && a[k] == 'c') has_c = true;
      if (a[0] == '-' && a[k] == 's') has_s = true;
      if (a[k] == 'o' || a[k] == 'O') ++i;  // -o option-name
    }
  }
  if (has_c) {
    if (i < argv.size()) {
      u.what = Wrapped::kShellBody;
      u.body = argv[i];
    }
    return u;
  }
  if (i >= argv.size() || has_s) u.what = Wrapped::kStdinShell;
  return u;
}

// `su [options] [user] -c command`.
Unwrapped unwrap_su(const std::vector<std::string>& argv) {
  Unwrapped u;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if ((a == "-c" || a == "--command") && i + 1 < argv.size()) {
      u.what = Wrapped::kShellBody;
      u.body = argv[i + 1];
      return u;
    }
    if (a.starts_with("--command=")) {
      u.what = Wrapped::kShellBody;
      u.body = a.substr(10);
      return u;
    }
  }
  return u;
}

Unwrapped unwrap_spec(const WrapperSpec& spec, const std::vector<std::string>& argv) {
  Unwrapped u;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    if (a[1] == '-') {
      if (a.find('=') == std::string::npos &&
          spec.long_with_arg.find(" " + a + " ") != std::string_view::npos) {
        ++i;
      }
      continue;
    }
    if (spec.digit_flags && std::isdigit(static_cast<unsigned char>(a[1]))) continue;
    // A cluster: -abc; an option taking an argument consumes the rest of the cluster, or the
    // next word when it is last.
    for (size_t k = 1; k < a.size(); ++k) {
      if (spec.short_with_arg.find(a[k]) != std::string_view::npos) {
        if (k + 1 == a.size()) ++i;
        break;
      }
    }
  }
  i += static_cast<size_t>(spec.positionals);
  if (spec.assignments) {
    while (i < argv.size() && is_assignment(argv[i])) u.assignments.push_back(argv[i++]);
  }
  if (i < argv.size()) {
    u.what = Wrapped::kCommand;
    u.inner = i;
  } else if (spec.implied != nullptr) {
    u.what = Wrapped::kCommand;
    u.inner = argv.size();
    u.implied.push_back(spec.implied);
  }
  return u;
}

// `env -S 'string'` / `env --split-string=string`: the string is a command line of its own.
bool env_split_string(const std::vector<std::string>& argv, Unwrapped& u) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string s;
    if ((a == "-S" || a == "--split-string") && i + 1 < argv.size()) {
      s = argv[i + 1];
      i += 1;
    } else if (a.starts_with("--split-string=")) {
      s = a.substr(15);
    } else if (a.starts_with("-S") && a.size() > 2) {
      s = a.substr(2);
    } else {
      if (a.empty() || a[0] != '-') return false;
      continue;
    }
    u.what = Wrapped::kShellBody;
    u.body = s;
    if (i + 1 < argv.size()) u.body += " " + join(argv, i + 1);
    return true;
  }
  return false;
}

}  // namespace

std::string_view basename_of(std::string_view word) {
  size_t slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

bool is_shell(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kShells = {"sh",  "bash", "zsh", "dash",
                                                              "ksh", "mksh", "ash"};
  std::string_view base = basename_of(name);
  return std::find(kShells.begin(), kShells.end(), base) != kShells.end();
}

bool is_assignment(std::string_view word) {
  size_t eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string_view name = word.substr(0, eq);
  if (name.back() == '+') name.remove_suffix(1);
  if (size_t bracket = name.find('['); bracket != std::string_view::npos) {
    if (name.back() != ']') return false;
    name = name.substr(0, bracket);
  }
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Unwrapped unwrap(const std::vector<std::string>& argv) {
  std::string_view name = argv[0];
  if (is_shell(name)) return unwrap_shell(argv);
  if (name == "eval") {
    Unwrapped u;
    if (argv.size() > 1) {
      u.what = Wrapped::kShellBody;
      u.body = join(argv, 1);
    }
    return u;
  }
  if (name == "su") return unwrap_su(argv);
  if (name == "watch") {
    // watch runs its arguments through `sh -c`.
    Unwrapped u;
    size_t i = 1;
    while (i < argv.size() && argv[i].starts_with("-")) {
      if (argv[i] == "-n" || argv[i] == "--interval") ++i;
      ++i;
    }
    if (i < argv.size()) {
      u.what = Wrapped::kShellBody;
      u.body = join(argv, i);
    }
    return u;
  }
  if (name == "env") {
    Unwrapped u;
    if (env_split_string(argv, u)) return u;
  }
  if (const WrapperSpec* spec = find_wrapper(name)) {
    if (name == "command" && argv.size() > 1 && (argv[1] == "-v" || argv[1] == "-V")) return {};
    return unwrap_spec(*spec, argv);
  }
  return {};
}

}  // namespace gaia::confirm::detail
