#include "app/environment.h"

#include <string_view>

#include "app/settings.h"

namespace gaia::app {

Settings settings_from_environment(const char* const* envp) {
  Settings settings;
  for (; envp != nullptr && *envp != nullptr; ++envp) {
    std::string_view entry = *envp;
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq + 1 == entry.size()) continue;  // empty: unset
    const std::string_view variable = entry.substr(0, eq);
    for (const Setting& setting : setting_table()) {
      if (variable == setting.env) {
        settings[std::string(setting.key)] = std::string(entry.substr(eq + 1));
      }
    }
  }
  return settings;
}

}  // namespace gaia::app
