#include "app/command_line.h"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "app/settings.h"
#include "core/version.h"

namespace gaia::app {

namespace {

constexpr std::size_t kHelpColumn = 30;  // CLI11's default, so both lists line up

// "default 8080", read from `defaults`; "none" for an empty value.
std::string default_of(const Setting& setting, const Config& defaults) {
  std::string shown = setting.field.show(defaults);
  return "default " + (shown.empty() ? std::string("none") : shown);
}

// The help of a setting with a flag: its line, then where else it may be given and its
// default.
std::string flag_help(const Setting& setting, const Config& defaults) {
  std::string where = "env " + std::string(setting.env);
  if (setting.reach == Reach::kEverywhere) where += ", file key " + std::string(setting.key);
  return std::string(setting.help) + "\n" + where + "; " + default_of(setting, defaults);
}

// The footer: precedence, the file's form and the settings of the environment alone.
std::string footer(const Config& defaults) {
  const Setting& file = *find_setting(kConfigFileKey);
  std::ostringstream out;
  out << "Precedence: flags > environment > config file (" << file.flag << " or " << file.env
      << ";\n`key = value` lines, '#' comments) > defaults.\n\n"
      << "Environment only (secrets: never a flag or a file key):";
  for (const Setting& setting : setting_table()) {
    if (setting.reach != Reach::kEnvironmentOnly) continue;
    std::string name = "  " + std::string(setting.env);
    out << "\n" << std::left << std::setw(kHelpColumn) << name;
    if (name.size() >= kHelpColumn) out << "\n" << std::setw(kHelpColumn) << "";
    out << setting.help << "\n" << std::setw(kHelpColumn) << "" << default_of(setting, defaults);
  }
  return out.str();
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err) {
  const Config defaults = default_config();
  CLI::App app("Gaia: a server that gates command execution.", "gaia_server");
  app.set_version_flag("--version", core::kVersion);
  app.get_formatter()->column_width(kHelpColumn);
  app.footer(footer(defaults));

  struct Flag {
    const Setting* setting;
    CLI::Option* option;
    std::string value;
  };
  std::vector<Flag> flags;
  for (const Setting& setting : setting_table()) {
    if (!setting.flag.empty()) flags.push_back({&setting, nullptr, {}});
  }
  for (Flag& flag : flags) {  // the vector no longer grows: `value` stays put
    flag.option = app.add_option(std::string(flag.setting->flag), flag.value,
                                 flag_help(*flag.setting, defaults));
    flag.option->type_name(flag.setting->field.shape);
  }

  CommandLine result;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    result.exit_code = code == 0 ? 0 : 2;
    return result;
  }
  for (const Flag& flag : flags) {
    if (flag.option->count() > 0) result.flags[std::string(flag.setting->key)] = flag.value;
  }
  return result;
}

}  // namespace gaia::app
