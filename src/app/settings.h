#pragma once
// The table of gaia_server's settings. A row is one setting: its names in the three sources
// (command-line flag, environment variable, config-file key), where it may be given, one line
// of help, and its Field: how text becomes part of a Config and how it reads back as text.
// Everything else comes from this table: the flags and --help (command_line.cc, with the
// defaults read back from Config itself), the environment's names (environment.cc), the
// file's keys (config_file.cc) and parsing by precedence (config.cc).
//
// Adding a setting: a field in Config (config.h) and a row in make_table() (settings.cc).
// Rules between settings (one needing another) live in resolve_config().
//
// The table is built on first use and never changes afterwards; any thread.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/config.h"

namespace gaia::app {

// Where a setting may be given.
enum class Reach {
  kEverywhere,       // flag, environment and config file
  kNotInFile,        // flag and environment: the config file's own path
  kEnvironmentOnly,  // a secret: never a flag (visible in `ps`) or a file; its value never echoed
};

// How one setting's text becomes part of a Config, and back.
struct Field {
  // Stores `text` in `config`. On failure returns what was expected instead, for the error
  // message ("an integer from 1 to 256"); `config` may then be partly changed.
  std::function<std::optional<std::string>(std::string_view text, Config& config)> parse;
  // The setting's value in `config`, written as parse() reads it; --help shows it for the
  // defaults.
  std::function<std::string(const Config& config)> show;
  // The value's form in --help: "N", "true|false", "open|closed", "URL"...
  std::string shape;
};

struct Setting {
  std::string_view key;   // the config-file key, and the key in Settings
  std::string_view env;   // the environment variable
  std::string_view flag;  // the command-line flag; empty when Reach::kEnvironmentOnly
  Reach reach;
  std::string_view help;  // one line for --help; the default is added from Config
  Field field;
};

// The setting naming the configuration file, which load_config() reads before the others.
inline constexpr std::string_view kConfigFileKey = "config";

// Every setting, in --help's order.
std::span<const Setting> setting_table();

// The setting whose key is `key`, or nullptr.
const Setting* find_setting(std::string_view key);

}  // namespace gaia::app
