#include "confirm/tool_options.h"

#include <algorithm>

#include "confirm/detail/wrappers.h"

namespace gaia::confirm {
namespace {

using E = OptionEffect;

struct Forbidden {
  std::string_view spelling;  // "-s" (one letter), "--set" (long), "-exec" (find's words)
  OptionEffect effect;
};

// What a tool's operands may do.
enum class Operands : uint8_t {
  kAny,
  kDateFormatOnly,  // date: an operand other than +FORMAT sets the clock
  kScript,          // sed, awk: the first operand (or an expression option's value) is a program
  kNoPlusCommand,   // less: +cmd runs a pager command at start
};

struct ToolSpec {
  std::string_view names = {};           // " sort ", " awk gawk mawk nawk ": basenames
  bool whole_words = false;              // find: options are whole words, no clusters
  bool old_style = false;                // tar: a first word without '-' is a cluster of letters
  std::string_view short_with_arg = {};  // letters whose option takes an argument
  std::string_view long_with_arg = {};   // " date file " long options taking an argument
  std::string_view script_short = {};    // letters whose argument is a script (sed -e)
  std::string_view script_long = {};     // " expression "
  std::vector<Forbidden> forbidden = {};
  Operands operands = Operands::kAny;
  std::vector<std::string_view> script_words = {};  // kScript: text that makes a script unsafe
};

// git: options before the subcommand (global), then its options.
const std::string_view kGitGlobalWithArg = "Cc";
const std::string_view kGitGlobalLongWithArg = " git-dir work-tree namespace super-prefix ";
const std::vector<Forbidden> kGitGlobal = {
    {"-c", E::kRunsProgram}, {"--config-env", E::kRunsProgram}, {"--exec-path", E::kRunsProgram}};
const std::vector<Forbidden> kGitSubcommand = {
    {"--output", E::kWritesFile},        {"--ext-diff", E::kRunsProgram},
    {"--exec", E::kRunsProgram},         {"--upload-pack", E::kRunsProgram},
    {"--receive-pack", E::kRunsProgram}, {"--open-files-in-pager", E::kRunsProgram}};

const std::vector<ToolSpec>& specs() {
  static const std::vector<ToolSpec> kSpecs = {
      {.names = " find ",
       .whole_words = true,
       .forbidden = {{"-delete", E::kWritesFile},
                     {"-exec", E::kRunsProgram},
                     {"-execdir", E::kRunsProgram},
                     {"-ok", E::kRunsProgram},
                     {"-okdir", E::kRunsProgram},
                     {"-fprint", E::kWritesFile},
                     {"-fprint0", E::kWritesFile},
                     {"-fprintf", E::kWritesFile},
                     {"-fls", E::kWritesFile}}},
      {.names = " rg ",
       .short_with_arg = "ABCEfegjmMrtT",
       .long_with_arg =
           " after-context before-context context encoding file glob iglob max-count "
           "max-columns replace type type-not type-add type-clear max-depth max-filesize "
           "path-separator pre-glob sort sortr threads ",
       .forbidden = {{"--pre", E::kRunsProgram}, {"--hostname-bin", E::kRunsProgram}}},
      {.names = " date ",
       .short_with_arg = "dfrs",
       .long_with_arg = " date file reference set ",
       .forbidden = {{"-s", E::kChangesSystem}, {"--set", E::kChangesSystem}},
       .operands = Operands::kDateFormatOnly},
      {.names = " sort ",
       .short_with_arg = "kotST",
       .long_with_arg = " key output field-separator buffer-size temporary-directory "
                        "batch-size files0-from parallel random-source ",
       .forbidden = {{"-o", E::kWritesFile},
                     {"--output", E::kWritesFile},
                     {"--compress-program", E::kRunsProgram}}},
      {.names = " sed ",
       .short_with_arg = "eflE",
       .long_with_arg = " expression file line-length ",
       .script_short = "e",
       .script_long = " expression ",
       .forbidden = {{"-i", E::kWritesFile},
                     {"--in-place", E::kWritesFile},
                     {"-f", E::kRunsProgram},
                     {"--file", E::kRunsProgram}},
       .operands = Operands::kScript,
       .script_words = {"e", "w", "W"}},
      {.names = " awk gawk mawk nawk ",
       .short_with_arg = "fvF",
       .long_with_arg = " file assign field-separator ",
       .forbidden = {{"-f", E::kRunsProgram},
                     {"--file", E::kRunsProgram},
                     {"-E", E::kRunsProgram},
                     {"--exec", E::kRunsProgram},
                     {"-i", E::kRunsProgram},
                     {"--include", E::kRunsProgram},
                     {"-l", E::kRunsProgram},
                     {"--load", E::kRunsProgram}},
       .operands = Operands::kScript,
       .script_words = {"system", "|", ">", "@"}},
      {.names = " tar ",
       .old_style = true,
       .short_with_arg = "bCfFgHIKLNTVX",
       .long_with_arg =
           " blocking-factor directory file info-script new-volume-script listed-incremental "
           "format use-compress-program starting-file tape-length files-from label "
           "exclude-from ",
       .forbidden = {{"-x", E::kWritesFile},
                     {"--extract", E::kWritesFile},
                     {"--get", E::kWritesFile},
                     {"-c", E::kWritesFile},
                     {"--create", E::kWritesFile},
                     {"-r", E::kWritesFile},
                     {"--append", E::kWritesFile},
                     {"-u", E::kWritesFile},
                     {"--update", E::kWritesFile},
                     {"-A", E::kWritesFile},
                     {"--catenate", E::kWritesFile},
                     {"--concatenate", E::kWritesFile},
                     {"--delete", E::kWritesFile},
                     {"--to-command", E::kRunsProgram},
                     {"--checkpoint-action", E::kRunsProgram},
                     {"-I", E::kRunsProgram},
                     {"--use-compress-program", E::kRunsProgram},
                     {"-F", E::kRunsProgram},
                     {"--info-script", E::kRunsProgram},
                     {"--new-volume-script", E::kRunsProgram},
                     {"--rsh-command", E::kRunsProgram},
                     {"--rmt-command", E::kRunsProgram}}},
      {.names = " less ",
       .short_with_arg = "bhjkoOpPtTxyz#",
       .long_with_arg = " buffers max-back-scroll jump-target lesskey-file log-file LOG-FILE "
                        "pattern prompt tag tag-file tabs max-forw-scroll window shift ",
       .forbidden = {{"-o", E::kWritesFile},
                     {"--log-file", E::kWritesFile},
                     {"-O", E::kWritesFile},
                     {"--LOG-FILE", E::kWritesFile},
                     {"-k", E::kRunsProgram},
                     {"--lesskey-file", E::kRunsProgram}},
       .operands = Operands::kNoPlusCommand},
      {.names = " man ",
       .short_with_arg = "CEHLmMpPrRST",
       .long_with_arg = " config-file encoding html locale systems manpath preprocessor pager "
                        "prompt recode sections troff-device ",
       .forbidden = {{"-P", E::kRunsProgram},
                     {"--pager", E::kRunsProgram},
                     {"-H", E::kRunsProgram},
                     {"--html", E::kRunsProgram},
                     {"-X", E::kRunsProgram},
                     {"--gxditview", E::kRunsProgram},
                     {"-C", E::kRunsProgram},
                     {"--config-file", E::kRunsProgram}}},
  };
  return kSpecs;
}

const ToolSpec* spec_of(std::string_view tool) {
  if (tool.empty()) return nullptr;
  for (const ToolSpec& s : specs()) {
    const size_t at = s.names.find(tool);
    if (at != std::string_view::npos && s.names[at - 1] == ' ' &&
        s.names[at + tool.size()] == ' ') {
      return &s;
    }
  }
  return nullptr;
}

// Whether `name` (a long option without "--") is `forbidden` or an abbreviation of it.
bool abbreviates(std::string_view name, std::string_view forbidden) {
  return !name.empty() && forbidden.starts_with(name);
}

// Whether long option `name` (or an abbreviation) is among the space-separated `list`.
bool long_in(std::string_view name, std::string_view list) {
  if (name.empty()) return false;
  size_t at = 0;
  while ((at = list.find(' ', at)) != std::string_view::npos && at + 1 < list.size()) {
    const size_t end = list.find(' ', at + 1);
    if (end == std::string_view::npos) break;
    if (abbreviates(name, list.substr(at + 1, end - at - 1))) return true;
    at = end;
  }
  return false;
}

// Reads argv[from..] as `spec`'s options and operands.
class Reader {
 public:
  Reader(const std::vector<std::string>& argv, std::string tool)
      : argv_(argv), tool_(std::move(tool)) {}

  // Reads argv[from, end).
  std::optional<ForbiddenUse> read(size_t from, size_t end, const ToolSpec& spec,
                                   const std::vector<Forbidden>& forbidden) {
    bool only_operands = false;
    bool script_given = false;
    end = std::min(end, argv_.size());
    for (size_t i = from; i < end; ++i) {
      const std::string& w = argv_[i];
      if (!only_operands && w == "--") {
        only_operands = true;
        continue;
      }
      const bool old_style = spec.old_style && i == from && !w.empty() && w[0] != '-';
      if (only_operands || (!old_style && (w.size() < 2 || w[0] != '-'))) {
        if (auto f = operand(w, spec, script_given)) return f;
        if (spec.operands == Operands::kScript) script_given = true;
        continue;
      }
      if (spec.whole_words) {
        for (const Forbidden& f : forbidden) {
          if (w == f.spelling) return use(w, f);
        }
        continue;
      }
      if (!old_style && w[1] == '-') {
        const size_t eq = w.find('=');
        const std::string_view name = std::string_view(w).substr(2, eq == w.npos ? w.npos : eq - 2);
        for (const Forbidden& f : forbidden) {
          if (f.spelling.starts_with("--") && abbreviates(name, f.spelling.substr(2))) {
            return use(w, f);
          }
        }
        const bool script = long_in(name, spec.script_long);
        if (eq != w.npos) {
          if (script) {
            script_given = true;
            if (auto f = script_text(w, w.substr(eq + 1), spec)) return f;
          }
        } else if (long_in(name, spec.long_with_arg) && i + 1 < end) {
          ++i;
          if (script) {
            script_given = true;
            if (auto f = script_text(w, argv_[i], spec)) return f;
          }
        }
        continue;
      }
      // A cluster: each letter an option, up to one that takes an argument (the rest of the
      // word, or the next word).
      for (size_t k = old_style ? 0 : 1; k < w.size(); ++k) {
        const char c = w[k];
        for (const Forbidden& f : forbidden) {
          if (f.spelling.size() == 2 && f.spelling[0] == '-' && f.spelling[1] == c) {
            return use(w, f);
          }
        }
        if (spec.short_with_arg.find(c) == std::string_view::npos) continue;
        const bool script = spec.script_short.find(c) != std::string_view::npos;
        std::string_view value;
        // Old-style tar takes the arguments of its letters from the following words.
        if (k + 1 < w.size() && !old_style) {
          value = std::string_view(w).substr(k + 1);
        } else if (i + 1 < end) {
          value = argv_[++i];
        }
        if (script) {
          script_given = true;
          if (auto f = script_text(w, value, spec)) return f;
        }
        if (!old_style) break;
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<ForbiddenUse> use(std::string_view written, const Forbidden& f) const {
    return ForbiddenUse{tool_, std::string(written), std::string(f.spelling), f.effect};
  }

  std::optional<ForbiddenUse> operand(const std::string& w, const ToolSpec& spec,
                                      bool script_given) const {
    switch (spec.operands) {
      case Operands::kAny:
        return std::nullopt;
      case Operands::kDateFormatOnly:
        if (w.starts_with("+")) return std::nullopt;
        return ForbiddenUse{tool_, w, "an operand other than +FORMAT", E::kChangesSystem};
      case Operands::kScript:
        if (script_given) return std::nullopt;  // a file name
        return script_text(w, w, spec);
      case Operands::kNoPlusCommand:
        if (!w.starts_with("+")) return std::nullopt;
        return ForbiddenUse{tool_, w, "a +command", E::kRunsProgram};
    }
    return std::nullopt;
  }

  // A script is refused when it holds any of the spec's words: a conservative reading, since
  // telling sed's `w` command from a `w` in a regular expression would need sed's parser.
  std::optional<ForbiddenUse> script_text(std::string_view written, std::string_view text,
                                          const ToolSpec& spec) const {
    for (std::string_view word : spec.script_words) {
      if (text.find(word) != std::string_view::npos) {
        return ForbiddenUse{tool_, std::string(written),
                            "a script holding \"" + std::string(word) + "\"", E::kRunsProgram};
      }
    }
    return std::nullopt;
  }

  const std::vector<std::string>& argv_;
  const std::string tool_;
};

// The index of git's subcommand in argv (after its global options), or argv.size().
size_t git_subcommand(const std::vector<std::string>& argv) {
  size_t i = 1;
  while (i < argv.size()) {
    const std::string& w = argv[i];
    if (w.size() < 2 || w[0] != '-') return i;
    if (w == "--") return i + 1;
    if (w[1] == '-') {
      if (w.find('=') == std::string::npos && long_in(w.substr(2), kGitGlobalLongWithArg)) ++i;
    } else if (w.size() == 2 && kGitGlobalWithArg.find(w[1]) != std::string_view::npos) {
      ++i;
    }
    ++i;
  }
  return argv.size();
}

}  // namespace

std::string_view option_effect_name(OptionEffect e) {
  switch (e) {
    case E::kRunsProgram:
      return "runs a program";
    case E::kWritesFile:
      return "writes a file";
    case E::kChangesSystem:
      return "changes the system";
  }
  return "runs a program";
}

std::string ForbiddenUse::reason() const {
  std::string out = tool + " " + option + " " + std::string(option_effect_name(effect));
  if (written != option) out += " (written " + written + ")";
  return out;
}

std::vector<ToolOptionRow> tool_option_rows() {
  std::vector<ToolOptionRow> rows;
  for (const Forbidden& f : kGitGlobal) rows.push_back({"git", f.spelling, f.effect});
  for (const Forbidden& f : kGitSubcommand) rows.push_back({"git", f.spelling, f.effect});
  for (const ToolSpec& s : specs()) {
    const std::string_view tool = s.names.substr(1, s.names.find(' ', 1) - 1);
    for (const Forbidden& f : s.forbidden) rows.push_back({tool, f.spelling, f.effect});
  }
  return rows;
}

bool has_option_rules(std::string_view tool) { return tool == "git" || spec_of(tool) != nullptr; }

std::optional<ForbiddenUse> find_forbidden_use(const std::vector<std::string>& argv,
                                               bool arguments_added) {
  if (argv.empty()) return std::nullopt;
  const std::string tool(detail::basename_of(argv[0]));
  if (!has_option_rules(tool)) return std::nullopt;
  if (arguments_added) {
    return ForbiddenUse{tool, "xargs", "with arguments added at run time", E::kRunsProgram};
  }
  Reader reader(argv, tool);
  if (tool == "git") {
    // Global options: only their own spellings, read as whole words (git does not join them).
    const size_t sub = git_subcommand(argv);
    static const ToolSpec kGlobal{.names = " git ",
                                  .short_with_arg = kGitGlobalWithArg,
                                  .long_with_arg = kGitGlobalLongWithArg};
    if (auto f = reader.read(1, sub, kGlobal, kGitGlobal); f || sub >= argv.size()) return f;
    static const ToolSpec kSub{.names = " git "};
    return reader.read(sub + 1, argv.size(), kSub, kGitSubcommand);
  }
  const ToolSpec& spec = *spec_of(tool);
  return reader.read(1, argv.size(), spec, spec.forbidden);
}

}  // namespace gaia::confirm
