#include "cli/completion.h"

#include <CLI/CLI.hpp>
#include <vector>

namespace gaia::cli {
namespace {

// One command level: its path ("/hook/install", "" for gaia itself) and the words that may
// follow it.
struct Level {
  std::string path;
  std::string words;
};

// `inherited`: the options of gaia itself, which every subcommand takes too (gaia quota --json).
void collect(const CLI::App& app, const std::string& path, const std::string& inherited,
             std::vector<Level>& levels) {
  std::string words;
  const auto add = [&words](const std::string& w) { words += (words.empty() ? "" : " ") + w; };
  const std::vector<const CLI::App*> subs =
      app.get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* sub : subs) add(sub->get_name());
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& name : o->get_lnames()) add("--" + name);
  }
  std::string own_options;
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& name : o->get_lnames()) {
      if (name != "help" && name != "version") own_options += " --" + name;
    }
  }
  levels.push_back({path, words + inherited});
  const std::string passed_on = path.empty() ? own_options : inherited;
  for (const CLI::App* sub : subs) collect(*sub, path + "/" + sub->get_name(), passed_on, levels);
}

}  // namespace

std::string completion_script(const CLI::App& app, const std::string& shell) {
  std::vector<Level> levels;
  collect(app, "", "", levels);
  std::string known, choices;
  for (const Level& l : levels) {
    if (!l.path.empty()) known += (known.empty() ? "" : "|") + l.path;
    choices += "    \"" + l.path + "\") words=\"" + l.words + "\" ;;\n";
  }
  std::string script;
  if (shell == "zsh") {
    script +=
        "#compdef gaia\n"
        "# zsh completion for gaia: source <(gaia completion zsh)\n"
        "(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }\n"
        "autoload -U +X bashcompinit && bashcompinit\n";
  } else {
    script += "# bash completion for gaia: source <(gaia completion bash)\n";
  }
  script +=
      "_gaia() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" words=\"\" w i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${COMP_WORDS[i]}\"\n"
      "    [[ \"$w\" == \"--\" ]] && return 0  # a command to run: files, by default\n"
      "    case \"$path/$w\" in\n"
      "      " +
      known +
      ") path=\"$path/$w\" ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$path\" in\n" +
      choices +
      "  esac\n"
      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "}\n"
      "complete -o default -F _gaia gaia\n";
  return script;
}

}  // namespace gaia::cli
