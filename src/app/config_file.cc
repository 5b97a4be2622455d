#include "app/config_file.h"

#include <fstream>
#include <sstream>

#include "app/settings.h"
#include "core/text.h"

namespace gaia::app {

namespace {

// A line's padding; a CR is a Windows line end.
constexpr std::string_view kSpace = " \t\r";

}  // namespace

core::Result<Settings> parse_config_file(std::string_view text, const std::string& origin) {
  Settings settings;
  int line_number = 0;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = core::trim(text.substr(0, eol), kSpace);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    std::string where = origin + " line " + std::to_string(line_number);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return core::Status::invalid_argument(where + ": expected `key = value`");
    }
    std::string_view key = core::trim(line.substr(0, eq), kSpace);
    std::string_view value = core::trim(line.substr(eq + 1), kSpace);
    const Setting* setting = find_setting(key);
    if (setting == nullptr) {
      return core::Status::invalid_argument(where + ": unknown setting \"" + std::string(key) +
                                            "\"");
    }
    if (setting->reach != Reach::kEverywhere) {
      return core::Status::invalid_argument(where + ": setting \"" + std::string(key) +
                                            "\" cannot be set in a file (use " +
                                            std::string(setting->env) + ")");
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    settings[std::string(key)] = std::string(value);
  }
  return settings;
}

core::Result<Settings> read_config_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    return core::Status::invalid_argument("cannot read config file \"" + path + "\"");
  }
  return parse_config_file(text.str(), "config file " + path);
}

}  // namespace gaia::app
