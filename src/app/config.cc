#include "app/config.h"

#include <arpa/inet.h>
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <optional>
#include <string_view>
#include <thread>

namespace gaia::app {

namespace {

// A raw value and the place it came from, e.g. "PORT" or "--port".
struct Raw {
  std::string value;
  std::string origin;
};

std::optional<Raw> pick(const SettingName& name, const Settings& flags, const Settings& env,
                        const Settings& file) {
  if (auto it = flags.find(name.key); it != flags.end()) return Raw{it->second, name.flag};
  if (auto it = env.find(name.key); it != env.end()) return Raw{it->second, name.env};
  if (auto it = file.find(name.key); it != file.end()) {
    return Raw{it->second, std::string("config file key ") + name.key};
  }
  return std::nullopt;
}

core::Status invalid(const Raw& raw, std::string_view what, std::string_view expected) {
  return core::Status::invalid_argument("invalid " + std::string(what) + " \"" + raw.value +
                                        "\" (from " + raw.origin + "): expected " +
                                        std::string(expected));
}

std::optional<uint64_t> parse_uint(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_ip_address(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// "sqlite:PATH" or "sqlite://PATH" (so "sqlite:///abs" is "/abs") → PATH.
std::optional<std::string> sqlite_path_of(std::string_view url) {
  for (std::string_view prefix : {"sqlite://", "sqlite:"}) {
    if (url.starts_with(prefix) && url.size() > prefix.size()) {
      return std::string(url.substr(prefix.size()));
    }
  }
  return std::nullopt;
}

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

std::string parent_dir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

bool is_time_zone(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::string redacted_url(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t start = scheme + 3;
  const size_t at = url.find('@', start);
  const size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

core::Result<Config> resolve_config(const Settings& flags, const Settings& env,
                                    const Settings& file) {
  Config c;
  c.io_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
  c.exec_workers = c.io_threads;

  if (auto raw = pick(kPortSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v > 65535) return invalid(*raw, "port", "an integer from 0 to 65535");
    c.port = static_cast<uint16_t>(*v);
  }
  if (auto raw = pick(kBindSetting, flags, env, file)) {
    if (!is_ip_address(raw->value)) {
      return invalid(*raw, "bind address", "an IPv4 or IPv6 address such as 127.0.0.1");
    }
    c.bind_address = raw->value;
  }
  if (auto raw = pick(kDatabaseUrlSetting, flags, env, file)) {
    if (is_postgres_url(raw->value)) {
      c.postgres_url = raw->value;
    } else if (auto path = sqlite_path_of(raw->value)) {
      c.sqlite_path = *path;
    } else {
      return invalid(*raw, "database URL",
                     "sqlite:PATH or postgres://[user[:password]@]host[:port]/database");
    }
    c.database_url = raw->value;
  }
  c.data_dir = c.postgres_url.empty() ? parent_dir(c.sqlite_path) : "./var";
  if (auto raw = pick(kDataDirSetting, flags, env, file)) {
    if (raw->value.empty()) return invalid(*raw, "data directory", "a directory path");
    c.data_dir = raw->value;
  }
  if (auto raw = pick(kStoreFailureSetting, flags, env, file)) {
    if (raw->value != "open" && raw->value != "closed") {
      return invalid(*raw, "store failure mode",
                     "open (admit while the database is away) or closed (refuse with 503)");
    }
    c.store_failure = raw->value == "open" ? StoreFailure::kOpen : StoreFailure::kClosed;
  }
  if (auto raw = pick(kStoreConnectRetrySetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v > 86400) {
      return invalid(*raw, "store connect retry", "seconds from 0 (no retry) to 86400");
    }
    c.store_connect_retry_s = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kTimeZoneSetting, flags, env, file)) {
    if (!is_time_zone(raw->value)) {
      return invalid(*raw, "time zone", "an IANA time zone name such as UTC or Europe/Paris");
    }
    c.time_zone = raw->value;
  }
  if (auto raw = pick(kThreadsSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 256) return invalid(*raw, "io threads", "an integer from 1 to 256");
    c.io_threads = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kRetentionSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 36500) {
      return invalid(*raw, "retention days", "an integer from 1 to 36500");
    }
    c.retention_days = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kMetricsOpenSetting, flags, env, file)) {
    if (raw->value != "true" && raw->value != "false")
      return invalid(*raw, "metrics_open", "true or false");
    c.metrics_open = raw->value == "true";
    if (c.metrics_open && c.bind_address != "127.0.0.1" && c.bind_address != "::1") {
      return invalid(*raw, "metrics_open",
                     "false unless the server binds a loopback address (127.0.0.1 or ::1)");
    }
  }
  if (auto raw = pick(kExecWorkersSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 1024)
      return invalid(*raw, "exec workers", "an integer from 1 to 1024");
    c.exec_workers = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kQueueMaxWaitSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 86400) {
      return invalid(*raw, "queue max wait", "seconds from 1 to 86400");
    }
    c.queue_max_wait_s = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kThrottleSlowSetting, flags, env, file)) {
    if (raw->value != "delay" && raw->value != "hold") {
      return invalid(*raw, "throttle_slow", "delay (admit after (1 - factor) s) or hold (queue)");
    }
    c.throttle_hold = raw->value == "hold";
  }
  if (auto raw = pick(kThrottleStopSetting, flags, env, file)) {
    if (raw->value != "wait" && raw->value != "refuse") {
      return invalid(*raw, "throttle_stop", "wait (queue) or refuse (503 with Retry-After)");
    }
    c.throttle_refuse_at_zero = raw->value == "refuse";
  }
  if (auto raw = pick(kExecCgroupsSetting, flags, env, file)) {
    if (raw->value != "auto" && raw->value != "limits" && raw->value != "off") {
      return invalid(*raw, "exec_cgroups",
                     "auto (a cgroup per command), limits (only for limited commands) or off");
    }
    c.exec_cgroups = raw->value;
  }
  if (auto raw = pick(kProcRootSetting, flags, env, file)) {
    if (raw->value.empty()) return invalid(*raw, "proc root", "a directory path");
    c.proc_root = raw->value;
  }
  if (auto raw = pick(kConfirmAiEnabledSetting, flags, env, file)) {
    if (raw->value != "true" && raw->value != "false") {
      return invalid(*raw, "confirm_ai_enabled", "true or false");
    }
    c.confirm_ai_enabled = raw->value == "true";
  }
  if (auto raw = pick(kConfirmReviewerUrlSetting, flags, env, file)) {
    if (!raw->value.starts_with("http://") || raw->value.size() <= 7) {
      return invalid(*raw, "confirm reviewer URL",
                     "http://host[:port][/path] (https is not supported)");
    }
    c.confirm_reviewer_url = raw->value;
  }
  if (auto raw = pick(kConfirmReviewerTimeoutSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 60000) {
      return invalid(*raw, "confirm reviewer timeout", "milliseconds from 1 to 60000");
    }
    c.confirm_reviewer_timeout_ms = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kConfirmReviewerMaxInflightSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 1024) {
      return invalid(*raw, "confirm reviewer max in flight", "an integer from 1 to 1024");
    }
    c.confirm_reviewer_max_inflight = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kConfirmFallbackSetting, flags, env, file)) {
    if (raw->value != "ask" && raw->value != "deny" && raw->value != "approve") {
      return invalid(*raw, "confirm fallback", "ask, deny or approve");
    }
    c.confirm_fallback = raw->value;
  }
  if (auto raw = pick(kConfirmApprovalWaitSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v > 86'400) {
      return invalid(*raw, "approval wait", "seconds from 0 (off) to 86400");
    }
    c.confirm_approval_wait_s = static_cast<unsigned>(*v);
  }
  if (c.confirm_ai_enabled && c.confirm_reviewer_url.empty()) {
    return core::Status::invalid_argument(
        "invalid confirm_ai_enabled: the reviewer needs GAIA_CONFIRM_REVIEWER_URL "
        "(http://host[:port][/path])");
  }
  if (auto raw = pick(kAlertIntervalSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 3600) {
      return invalid(*raw, "alert interval", "seconds from 1 to 3600");
    }
    c.alert_interval_s = static_cast<unsigned>(*v);
  }
  struct Days {
    const SettingName& name;
    unsigned& value;
    const char* what;
  };
  for (const Days& d :
       {Days{kAnalyticsMinuteDaysSetting, c.analytics_minute_days, "analytics minute retention"},
        Days{kAnalyticsHourDaysSetting, c.analytics_hour_days, "analytics hour retention"},
        Days{kAnalyticsDayDaysSetting, c.analytics_day_days, "analytics day retention"}}) {
    if (auto raw = pick(d.name, flags, env, file)) {
      auto v = parse_uint(raw->value);
      if (!v || *v < 1 || *v > 36500) return invalid(*raw, d.what, "days from 1 to 36500");
      d.value = static_cast<unsigned>(*v);
    }
  }
  if (auto raw = pick(kAnalyticsFlushSetting, flags, env, file)) {
    auto v = parse_uint(raw->value);
    if (!v || *v < 1 || *v > 3600) {
      return invalid(*raw, "analytics flush interval", "seconds from 1 to 3600");
    }
    c.analytics_flush_s = static_cast<unsigned>(*v);
  }
  if (auto raw = pick(kAlertWebhookUrlSetting, flags, env, file)) {
    if (!raw->value.starts_with("http://") || raw->value.size() <= 7) {
      return invalid(*raw, "alert webhook URL",
                     "http://host[:port][/path] (https is not supported)");
    }
    c.alert_webhook_url = raw->value;
  }
  if (auto raw = pick(kAlertWebhookSecretSetting, flags, env, file)) {
    c.alert_webhook_secret = raw->value;  // never echoed
  }
  if (auto raw = pick(kAdminKeySetting, flags, env, file)) {
    if (raw->value.size() < 32) {  // never echo a secret
      return core::Status::invalid_argument(
          "invalid admin key (from GAIA_ADMIN_KEY): expected at least 32 characters");
    }
    c.admin_key = raw->value;
  }
  return c;
}

}  // namespace gaia::app
