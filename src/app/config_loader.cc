#include "app/config_loader.h"

#include "app/command_line.h"
#include "app/config_file.h"
#include "app/environment.h"
#include "app/settings.h"
#include "core/log_escape.h"

namespace gaia::app {

namespace {

constexpr int kBadConfigExit = 2;

LoadedConfig fail(std::ostream& err, const core::Status& status) {
  // The message quotes a value from the environment, a flag or the file: escaped, so no value
  // forges a line or colours a terminal.
  std::string line = "gaia_server: ";
  core::append_log_escaped(line, status.message());
  err << line << "\n";
  return LoadedConfig{std::nullopt, kBadConfigExit};
}

}  // namespace

LoadedConfig load_config(int argc, const char* const* argv, const char* const* envp,
                         std::ostream& out, std::ostream& err) {
  CommandLine cl = parse_command_line(argc, argv, out, err);
  if (cl.exit_code) return LoadedConfig{std::nullopt, *cl.exit_code};
  Settings env = settings_from_environment(envp);

  Settings file;
  const std::string* path = nullptr;
  if (auto it = cl.flags.find(std::string(kConfigFileKey)); it != cl.flags.end()) {
    path = &it->second;
  } else if (auto it = env.find(std::string(kConfigFileKey)); it != env.end()) {
    path = &it->second;
  }
  if (path != nullptr) {
    core::Result<Settings> read = read_config_file(*path);
    if (!read.ok()) return fail(err, read.status());
    file = std::move(read.value());
  }

  core::Result<Config> config = resolve_config(cl.flags, env, file);
  if (!config.ok()) return fail(err, config.status());
  return LoadedConfig{std::move(config.value()), 0};
}

}  // namespace gaia::app
