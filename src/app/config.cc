#include "app/config.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string_view>
#include <thread>

#include "app/settings.h"
#include "core/redact_url.h"

namespace gaia::app {

namespace {

// A raw value and the place it came from, e.g. "PORT" or "--port".
struct Raw {
  std::string value;
  std::string origin;
};

// The value of `setting` from the source of highest precedence that may give it.
std::optional<Raw> pick(const Setting& setting, const Settings& flags, const Settings& env,
                        const Settings& file) {
  const std::string key(setting.key);
  if (setting.reach != Reach::kEnvironmentOnly) {
    if (auto it = flags.find(key); it != flags.end()) {
      return Raw{it->second, std::string(setting.flag)};
    }
  }
  if (auto it = env.find(key); it != env.end()) return Raw{it->second, std::string(setting.env)};
  if (setting.reach == Reach::kEverywhere) {
    if (auto it = file.find(key); it != file.end()) {
      return Raw{it->second, "config file key " + key};
    }
  }
  return std::nullopt;
}

// Names the setting, the value (unless a secret) and its origin.
core::Status invalid(const Setting& setting, const Raw& raw, std::string_view expected) {
  std::string message = "invalid " + std::string(setting.key);
  if (setting.reach != Reach::kEnvironmentOnly)
    message += " \"" + core::redacted_url(raw.value) + "\"";
  return core::Status::invalid_argument(message + " (from " + raw.origin + "): expected " +
                                        std::string(expected));
}

std::string parent_dir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

bool is_loopback(const std::string& address) { return address == "127.0.0.1" || address == "::1"; }

}  // namespace

Config default_config() {
  Config c;
  c.io_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
  c.exec_workers = c.io_threads;
  c.rls_threads = std::max(c.io_threads / 2, 1u);
  return c;
}

core::Result<Config> resolve_config(const Settings& flags, const Settings& env,
                                    const Settings& file) {
  Config c = default_config();
  std::map<std::string_view, Raw> given;  // by key: the settings set, for the rules below
  for (const Setting& setting : setting_table()) {
    std::optional<Raw> raw = pick(setting, flags, env, file);
    if (!raw) continue;
    if (auto expected = setting.field.parse(raw->value, c)) {
      return invalid(setting, *raw, *expected);
    }
    given.emplace(setting.key, std::move(*raw));
  }

  // Rules between settings.
  if (!given.contains("data_dir")) {
    c.data_dir = c.postgres_url.empty() ? parent_dir(c.sqlite_path) : "./var";
  }
  if (c.metrics_open && !is_loopback(c.bind_address)) {
    return invalid(*find_setting("metrics_open"), given.at("metrics_open"),
                   "false unless the server binds a loopback address (127.0.0.1 or ::1)");
  }
  if (c.confirm_ai_enabled && c.confirm_reviewer_url.empty()) {
    return core::Status::invalid_argument("invalid confirm_ai_enabled: the reviewer needs " +
                                          std::string(find_setting("confirm_reviewer_url")->env) +
                                          " (http[s]://host[:port][/path])");
  }
  return c;
}

}  // namespace gaia::app
