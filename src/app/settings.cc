#include "app/settings.h"

#include <arpa/inet.h>
#include <date/tz.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <vector>

#include "cluster/redis/redis_url.h"
#include "core/redact_url.h"
#include "http/url.h"
#include "rls/mapping.h"
#include "rls/trusted_peers.h"

namespace gaia::app {

namespace {

// --- Kinds of value ---------------------------------------------------------------------

std::optional<uint64_t> parse_uint(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// An unsigned integer in [min, max]; `unit` names it in the error ("seconds from 1 to 60").
template <typename T>
Field uint_field(T Config::*member, uint64_t min, uint64_t max,
                 std::string_view unit = "an integer") {
  static_assert(std::is_unsigned_v<T>);
  std::string expected =
      std::string(unit) + " from " + std::to_string(min) + " to " + std::to_string(max);
  return Field{
      .parse = [=](std::string_view text, Config& c) -> std::optional<std::string> {
        auto v = parse_uint(text);
        if (!v || *v < min || *v > max) return expected;
        c.*member = static_cast<T>(*v);
        return std::nullopt;
      },
      .show = [member](const Config& c) { return std::to_string(c.*member); },
      .shape = "N",
  };
}

template <typename T>
struct Choice {
  std::string_view word;
  T value;
};

// One of a few words, each standing for a value of the field.
template <typename T>
Field choice_field(T Config::*member, std::type_identity_t<std::vector<Choice<T>>> choices) {
  std::string expected;
  std::string shape;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) expected += i + 1 == choices.size() ? " or " : ", ";
    expected += choices[i].word;
    shape += (i > 0 ? "|" : "") + std::string(choices[i].word);
  }
  return Field{
      .parse = [=](std::string_view text, Config& c) -> std::optional<std::string> {
        for (const Choice<T>& choice : choices) {
          if (text == choice.word) {
            c.*member = choice.value;
            return std::nullopt;
          }
        }
        return expected;
      },
      .show =
          [=](const Config& c) {
            for (const Choice<T>& choice : choices) {
              if (c.*member == choice.value) return std::string(choice.word);
            }
            assert(false && "a field holds a value no word stands for");
            return std::string();
          },
      .shape = shape,
  };
}

Field bool_field(bool Config::*member) {
  return choice_field(member, {{"true", true}, {"false", false}});
}

// One of a few words, kept as the word.
Field word_field(std::string Config::*member, std::vector<std::string_view> words) {
  std::vector<Choice<std::string>> choices;
  for (std::string_view w : words) choices.push_back({w, std::string(w)});
  return choice_field(member, std::move(choices));
}

// Text that `valid` accepts (any text when `valid` is null).
Field text_field(std::string Config::*member, std::string shape, bool (*valid)(std::string_view),
                 std::string expected) {
  return Field{
      .parse = [=](std::string_view text, Config& c) -> std::optional<std::string> {
        if (valid != nullptr && !valid(text)) return expected;
        c.*member = std::string(text);
        return std::nullopt;
      },
      .show = [member](const Config& c) { return c.*member; },
      .shape = std::move(shape),
  };
}

// A tier's warning thresholds: "80,95" (percentages, ascending, at most four) or "none".
Field warn_at_field(core::Tier tier) {
  const auto i = static_cast<size_t>(tier);
  return Field{
      .parse = [=](std::string_view text, Config& c) -> std::optional<std::string> {
        const std::string expected = "none, or up to 4 ascending percentages such as 80,95";
        core::WarnThresholds out{};
        size_t n = 0, start = 0;
        while (text != "none" && start <= text.size()) {
          size_t end = text.find(',', start);
          if (end == std::string_view::npos) end = text.size();
          auto v = parse_uint(text.substr(start, end - start));
          if (!v || *v < 1 || *v > 100 || n == out.size() || (n > 0 && *v <= out[n - 1])) {
            return expected;
          }
          out[n++] = static_cast<uint8_t>(*v);
          start = end + 1;
        }
        c.warn_at[i] = out;
        return std::nullopt;
      },
      .show =
          [i](const Config& c) {
            std::string out;
            for (uint8_t pct : c.warn_at[i]) {
              if (pct != 0) out += (out.empty() ? "" : ",") + std::to_string(pct);
            }
            return out.empty() ? std::string("none") : out;
          },
      .shape = "PCT,...",
  };
}

// --- Validators -------------------------------------------------------------------------

// A local account name as useradd takes it: 1-32 of [A-Za-z0-9._-], not starting with '-'.
bool is_account_name(std::string_view s) {
  if (s.empty() || s.size() > 32 || s[0] == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// "user=account[,user=account...]": Gaia users mapped to local accounts; empty: none.
Field account_map_field(std::map<std::string, std::string> Config::*member) {
  return Field{
      .parse = [=](std::string_view text, Config& c) -> std::optional<std::string> {
        const std::string expected =
            "user=account pairs separated by commas, such as alice=alice,bob=builder";
        std::map<std::string, std::string> map;
        size_t start = 0;
        while (start < text.size()) {
          size_t end = text.find(',', start);
          if (end == std::string_view::npos) end = text.size();
          const std::string_view pair = text.substr(start, end - start);
          start = end + 1;
          const size_t eq = pair.find('=');
          if (eq == 0 || eq == std::string_view::npos || !is_account_name(pair.substr(eq + 1)) ||
              !map.emplace(pair.substr(0, eq), pair.substr(eq + 1)).second) {
            return expected;
          }
        }
        c.*member = std::move(map);
        return std::nullopt;
      },
      .show =
          [member](const Config& c) {
            std::string out;
            for (const auto& [user, account] : c.*member) {
              out += (out.empty() ? "" : ",") + user + "=" + account;
            }
            return out;
          },
      .shape = "USER=ACCOUNT,...",
  };
}

bool is_ip_address(std::string_view s) {
  const std::string text(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool is_time_zone(std::string_view name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

bool is_not_empty(std::string_view s) { return !s.empty(); }

bool is_http_url(std::string_view s) { return http::parse_url(s).ok(); }

bool is_readable_file(std::string_view s) {
  return !s.empty() && ::access(std::string(s).c_str(), R_OK) == 0;
}

bool is_redis_url(std::string_view s) { return cluster::redis::RedisUrl::parse(s).ok(); }

bool is_long_secret(std::string_view s) { return s.size() >= 32; }

// A file path, "-" (standard output) or empty (off); no control byte.
bool is_log_path(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
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

// database_url also sets sqlite_path or postgres_url, which the server opens.
Field database_url_field() {
  return Field{
      .parse = [](std::string_view text, Config& c) -> std::optional<std::string> {
        if (is_postgres_url(text)) {
          c.postgres_url = std::string(text);
        } else if (auto path = sqlite_path_of(text)) {
          c.sqlite_path = *path;
        } else {
          return "sqlite:PATH or postgres://[user[:password]@]host[:port]/database";
        }
        c.database_url = std::string(text);
        return std::nullopt;
      },
      .show = [](const Config& c) { return core::redacted_url(c.database_url); },
      .shape = "URL",
  };
}

// A port to listen on, or "off" (unset).
Field optional_port_field(std::optional<uint16_t> Config::*member) {
  return Field{
      .parse = [member](std::string_view text, Config& c) -> std::optional<std::string> {
        if (text == "off") {
          c.*member = std::nullopt;
          return std::nullopt;
        }
        auto v = parse_uint(text);
        if (!v || *v > 65535) return "off or a port from 0 to 65535";
        c.*member = static_cast<uint16_t>(*v);
        return std::nullopt;
      },
      .show =
          [member](const Config& c) {
            return c.*member ? std::to_string(*(c.*member)) : std::string("off");
          },
      .shape = "N|off",
  };
}

// Text that `parse` (returning a Result) accepts; its error is the expectation.
template <typename Parse>
Field parsed_text_field(std::string Config::*member, std::string shape, Parse parse) {
  return Field{
      .parse = [=](std::string_view text, Config& c) -> std::optional<std::string> {
        auto parsed = parse(text);
        if (!parsed.ok()) return parsed.status().message();
        c.*member = std::string(text);
        return std::nullopt;
      },
      .show = [member](const Config& c) { return c.*member; },
      .shape = std::move(shape),
  };
}

constexpr std::string_view kHttpUrl = "http[s]://host[:port][/path]";

std::vector<Setting> make_table() {
  using R = Reach;
  return {
      {"port", "PORT", "--port", R::kEverywhere, "TCP port to listen on (0: any free port)",
       uint_field(&Config::port, 0, 65535)},
      {"bind", "GAIA_BIND", "--bind", R::kEverywhere, "address to bind, IPv4 or IPv6",
       text_field(&Config::bind_address, "ADDRESS", is_ip_address,
                  "an IPv4 or IPv6 address such as 127.0.0.1")},
      {"database_url", "DATABASE_URL", "--database-url", R::kEverywhere,
       "sqlite:PATH or postgres://[user[:password]@]host[:port]/database", database_url_field()},
      {"time_zone", "GAIA_TIME_ZONE", "--time-zone", R::kEverywhere,
       "IANA time zone of calendar quotas",
       text_field(&Config::time_zone, "ZONE", is_time_zone,
                  "an IANA time zone name such as UTC or Europe/Paris")},
      {"threads", "GAIA_THREADS", "--threads", R::kEverywhere,
       "HTTP io threads (unless set: the number of CPUs)", uint_field(&Config::io_threads, 1, 256)},
      {"http_max_connections", "GAIA_HTTP_MAX_CONNECTIONS", "--http-max-connections",
       R::kEverywhere, "HTTP connections open at once; one more is closed at once",
       uint_field(&Config::http_max_connections, 1, 1'000'000)},
      {"http_max_connections_per_ip", "GAIA_HTTP_MAX_CONNECTIONS_PER_IP",
       "--http-max-connections-per-ip", R::kEverywhere,
       "HTTP connections open at once from one client address (IPv6: one /64)",
       uint_field(&Config::http_max_connections_per_ip, 1, 1'000'000)},
      {"tls_cert", "GAIA_TLS_CERT", "--tls-cert", R::kEverywhere,
       "PEM certificate chain: serve HTTPS and wss (with tls_key; unless set: plain HTTP)",
       text_field(&Config::tls_cert_file, "PATH", is_not_empty, "a file path")},
      {"tls_key", "GAIA_TLS_KEY", "--tls-key", R::kEverywhere, "PEM private key of tls_cert",
       text_field(&Config::tls_key_file, "PATH", is_not_empty, "a file path")},
      {"http_admin_threads", "GAIA_HTTP_ADMIN_THREADS", "--http-admin-threads", R::kEverywhere,
       "threads for admin listings (users, usage, violations)",
       uint_field(&Config::http_admin_threads, 1, 256)},
      {"http_admin_queue", "GAIA_HTTP_ADMIN_QUEUE", "--http-admin-queue", R::kEverywhere,
       "admin listings that may wait for a thread; more are answered 503",
       uint_field(&Config::http_admin_queue, 0, 100'000)},
      {"http_analytics_threads", "GAIA_HTTP_ANALYTICS_THREADS", "--http-analytics-threads",
       R::kEverywhere, "threads for analytics reports and rebuilds",
       uint_field(&Config::http_analytics_threads, 1, 256)},
      {"http_analytics_queue", "GAIA_HTTP_ANALYTICS_QUEUE", "--http-analytics-queue",
       R::kEverywhere, "analytics requests that may wait for a thread; more are answered 503",
       uint_field(&Config::http_analytics_queue, 0, 100'000)},
      {"http_exec_threads", "GAIA_HTTP_EXEC_THREADS", "--http-exec-threads", R::kEverywhere,
       "threads that take POST /api/v1/exec up to queueing its command",
       uint_field(&Config::http_exec_threads, 1, 256)},
      {"http_exec_queue", "GAIA_HTTP_EXEC_QUEUE", "--http-exec-queue", R::kEverywhere,
       "exec requests that may wait for a thread; more are answered 503",
       uint_field(&Config::http_exec_queue, 0, 100'000)},
      {"retention_days", "GAIA_RETENTION_DAYS", "--retention-days", R::kEverywhere,
       "days executions are kept", uint_field(&Config::retention_days, 1, 36500)},
      {"violation_retention_days", "GAIA_VIOLATION_RETENTION_DAYS", "--violation-retention-days",
       R::kEverywhere, "days violations (refusals) are kept",
       uint_field(&Config::violation_retention_days, 1, 36500)},
      {"log_format", "GAIA_LOG_FORMAT", "--log-format", R::kEverywhere,
       "log lines as text, or as one JSON object each (for log shippers)",
       word_field(&Config::log_format, {"text", "json"})},
      {"log_level", "GAIA_LOG_LEVEL", "--log-level", R::kEverywhere,
       "the least level logged: debug, info, warn or error",
       word_field(&Config::log_level, {"debug", "info", "warn", "error"})},
      {"access_log", "GAIA_ACCESS_LOG", "--access-log", R::kEverywhere,
       "one line per HTTP request to this file, or - for stdout (unless set: off)",
       text_field(&Config::access_log, "PATH|-", is_log_path, "a file path, or - for stdout")},
      {"shutdown_grace_s", "GAIA_SHUTDOWN_GRACE_S", "--shutdown-grace-s", R::kEverywhere,
       "on SIGTERM, seconds running commands may finish before they are cancelled",
       uint_field(&Config::shutdown_grace_s, 0, 3600, "seconds")},
      {"metrics_open", "GAIA_METRICS_OPEN", "--metrics-open", R::kEverywhere,
       "true: GET /metrics needs no key (loopback binds only)", bool_field(&Config::metrics_open)},
      {"store_failure", "GAIA_STORE_FAILURE", "--store-failure", R::kEverywhere,
       "while the database is away: open (admit new work) or closed (refuse with 503)",
       choice_field(&Config::store_failure,
                    {{"open", StoreFailure::kOpen}, {"closed", StoreFailure::kClosed}})},
      {"redis_url", "GAIA_REDIS_URL", "--redis-url", R::kEverywhere,
       "Redis holding the counters every node shares (unless set: this node's memory)",
       text_field(&Config::redis_url, "URL", is_redis_url,
                  "redis://[user:password@]host[:port][/database]")},
      {"redis_failure", "GAIA_REDIS_FAILURE", "--redis-failure", R::kEverywhere,
       "while Redis does not answer: closed (refuse with 503), open (admit) or local (count "
       "this node's share of each limit)",
       choice_field(&Config::redis_failure, {{"closed", RedisFailure::kClosed},
                                             {"open", RedisFailure::kOpen},
                                             {"local", RedisFailure::kLocal}})},
      {"redis_deadline_ms", "GAIA_REDIS_DEADLINE_MS", "--redis-deadline-ms", R::kEverywhere,
       "milliseconds a check waits for Redis before the failure policy decides",
       uint_field(&Config::redis_deadline_ms, 1, 10'000, "milliseconds")},
      {"redis_lease_ttl_ms", "GAIA_REDIS_LEASE_TTL_MS", "--redis-lease-ttl-ms", R::kEverywhere,
       "milliseconds a concurrency slot in Redis outlives its last renewal (running commands "
       "renew it every third): what a node killed with -9 costs",
       uint_field(&Config::redis_lease_ttl_ms, 300, 600'000, "milliseconds")},
      {"store_connect_retry_s", "GAIA_STORE_CONNECT_RETRY_S", "--store-connect-retry-s",
       R::kEverywhere, "seconds to retry an unreachable database at start (0: no retry)",
       uint_field(&Config::store_connect_retry_s, 0, 86400, "seconds")},
      {"store_flush_ms", "GAIA_STORE_FLUSH_MS", "--store-flush-ms", R::kEverywhere,
       "milliseconds usage and violations may wait for the store's commit, the most a crash "
       "loses (0: every check waits for its group's commit and fsync)",
       uint_field(&Config::store_flush_ms, 0, 60'000, "milliseconds")},
      {"data_dir", "GAIA_DATA_DIR", "--data-dir", R::kEverywhere,
       "key.secret and the outage journal (unless set: beside the SQLite file, or ./var)",
       text_field(&Config::data_dir, "PATH", is_not_empty, "a directory path")},
      {"exec_workers", "GAIA_EXEC_WORKERS", "--exec-workers", R::kEverywhere,
       "commands run at once (unless set: the number of CPUs)",
       uint_field(&Config::exec_workers, 1, 1024)},
      {"queue_max_wait_s", "GAIA_QUEUE_MAX_WAIT_S", "--queue-max-wait-s", R::kEverywhere,
       "seconds a queued command waits at most",
       uint_field(&Config::queue_max_wait_s, 1, 86400, "seconds")},
      {"throttle_slow", "GAIA_THROTTLE_SLOW", "--throttle-slow", R::kEverywhere,
       "under load: delay (admit after (1 - factor) s) or hold (keep in the queue)",
       choice_field(&Config::throttle_hold, {{"delay", false}, {"hold", true}})},
      {"throttle_stop", "GAIA_THROTTLE_STOP", "--throttle-stop", R::kEverywhere,
       "at throttle factor 0: wait (in the queue) or refuse (503 with Retry-After)",
       choice_field(&Config::throttle_refuse_at_zero, {{"wait", false}, {"refuse", true}})},
      {"throttle_delay_ms", "GAIA_THROTTLE_DELAY_MS", "--throttle-delay-ms", R::kEverywhere,
       "under load: the delay at factor f is (1 - f) times this",
       uint_field(&Config::throttle_delay_ms, 0, 600000, "milliseconds")},
      {"warn_at_default", "GAIA_WARN_AT_DEFAULT", "--warn-at-default", R::kEverywhere,
       "shares of a quota (%) at which the default tier is warned, unless its rule says",
       warn_at_field(core::Tier::kDefault)},
      {"warn_at_premium", "GAIA_WARN_AT_PREMIUM", "--warn-at-premium", R::kEverywhere,
       "shares of a quota (%) at which the premium tier is warned, unless its rule says",
       warn_at_field(core::Tier::kPremium)},
      {"warn_at_enterprise", "GAIA_WARN_AT_ENTERPRISE", "--warn-at-enterprise", R::kEverywhere,
       "shares of a quota (%) at which the enterprise tier is warned, unless its rule says",
       warn_at_field(core::Tier::kEnterprise)},
      {"proc_root", "GAIA_PROC_ROOT", "--proc-root", R::kEverywhere,
       "root of proc/ and the cgroup mounts the load monitor reads",
       text_field(&Config::proc_root, "PATH", is_not_empty, "a directory path")},
      {"exec_cgroups", "GAIA_EXEC_CGROUPS", "--exec-cgroups", R::kEverywhere,
       "a cgroup per command: auto (always), limits (commands with limits) or off",
       word_field(&Config::exec_cgroups, {"auto", "limits", "off"})},
      {"exec_user", "GAIA_EXEC_USER", "--exec-user", R::kEverywhere,
       "the local account commands run as when the server is root (root: only on purpose)",
       text_field(&Config::exec_user, "ACCOUNT", is_account_name, "a local account name")},
      {"exec_user_map", "GAIA_EXEC_USER_MAP", "--exec-user-map", R::kEverywhere,
       "Gaia users whose commands run as an account of their own",
       account_map_field(&Config::exec_user_map)},
      {"confirm_ai_enabled", "CLAUDE_CONFIRM_AI_ENABLED", "--confirm-ai-enabled", R::kEverywhere,
       "true: ask the reviewer about commands no pattern decides (needs its URL)",
       bool_field(&Config::confirm_ai_enabled)},
      {"confirm_reviewer_url", "GAIA_CONFIRM_REVIEWER_URL", "--confirm-reviewer-url",
       R::kEverywhere, "the reviewer's http[s]:// URL",
       text_field(&Config::confirm_reviewer_url, "URL", is_http_url, std::string(kHttpUrl))},
      {"confirm_reviewer_timeout_ms", "GAIA_CONFIRM_REVIEWER_TIMEOUT_MS",
       "--confirm-reviewer-timeout-ms", R::kEverywhere, "the reviewer's deadline, ms",
       uint_field(&Config::confirm_reviewer_timeout_ms, 1, 60000, "milliseconds")},
      {"confirm_reviewer_max_inflight", "GAIA_CONFIRM_REVIEWER_MAX_INFLIGHT",
       "--confirm-reviewer-max-inflight", R::kEverywhere,
       "reviewer calls under way at once; more fall back",
       uint_field(&Config::confirm_reviewer_max_inflight, 1, 1024)},
      {"confirm_fallback", "GAIA_CONFIRM_FALLBACK", "--confirm-fallback", R::kEverywhere,
       "the answer when the reviewer cannot give one",
       word_field(&Config::confirm_fallback, {"ask", "deny", "approve"})},
      {"alert_interval_s", "GAIA_ALERT_INTERVAL_S", "--alert-interval-s", R::kEverywhere,
       "seconds between alert evaluations",
       uint_field(&Config::alert_interval_s, 1, 3600, "seconds")},
      {"alert_webhook_url", "GAIA_ALERT_WEBHOOK_URL", "--alert-webhook-url", R::kEverywhere,
       "http[s]:// URL alerts of the webhook channel are POSTed to",
       text_field(&Config::alert_webhook_url, "URL", is_http_url, std::string(kHttpUrl))},
      {"ca_file", "GAIA_CA_FILE", "--ca-file", R::kEverywhere,
       "PEM file of CA certificates for the reviewer's and webhooks' https:// peers (default: "
       "the system's)",
       text_field(&Config::ca_file, "FILE", is_readable_file, "a readable file")},
      {"confirm_approval_wait_s", "GAIA_CONFIRM_APPROVAL_WAIT_S", "--confirm-approval-wait-s",
       R::kEverywhere,
       "seconds an agent's command needing a person waits for an admin (0: 428 at once)",
       uint_field(&Config::confirm_approval_wait_s, 0, 86400, "seconds")},
      {"confirm_approval_max_per_user", "GAIA_CONFIRM_APPROVAL_MAX_PER_USER",
       "--confirm-approval-max-per-user", R::kEverywhere,
       "commands of one user that may wait for an admin's approval at once (all users: 256)",
       uint_field(&Config::confirm_approval_max_per_user, 1, 256)},
      {"analytics_flush_s", "GAIA_ANALYTICS_FLUSH_S", "--analytics-flush-s", R::kEverywhere,
       "seconds between flushes of the analytics aggregates",
       uint_field(&Config::analytics_flush_s, 1, 3600, "seconds")},
      {"analytics_minute_days", "GAIA_ANALYTICS_MINUTE_DAYS", "--analytics-minute-days",
       R::kEverywhere, "days minute aggregates are kept",
       uint_field(&Config::analytics_minute_days, 1, 36500, "days")},
      {"analytics_hour_days", "GAIA_ANALYTICS_HOUR_DAYS", "--analytics-hour-days", R::kEverywhere,
       "days hour aggregates are kept", uint_field(&Config::analytics_hour_days, 1, 36500, "days")},
      {"analytics_day_days", "GAIA_ANALYTICS_DAY_DAYS", "--analytics-day-days", R::kEverywhere,
       "days day aggregates are kept", uint_field(&Config::analytics_day_days, 1, 36500, "days")},
      {"rls_port", "GAIA_RLS_PORT", "--rls-port", R::kEverywhere,
       "Envoy's rate limit service (gRPC) on this port of the bind address (0: any free port)",
       optional_port_field(&Config::rls_port)},
      {"rls_threads", "GAIA_RLS_THREADS", "--rls-threads", R::kEverywhere,
       "threads answering the rate limit service (unless set: half the CPUs)",
       uint_field(&Config::rls_threads, 1, 256)},
      {"rls_domains", "GAIA_RLS_DOMAINS", "--rls-domains", R::kEverywhere,
       "the rate limit service's domains: name[: key[:value]=type, ...]; ... (docs/envoy.md)",
       parsed_text_field(&Config::rls_domains, "DOMAINS", rls::parse_domains)},
      {"rls_trusted_peers", "GAIA_RLS_TRUSTED_PEERS", "--rls-trusted-peers", R::kEverywhere,
       "addresses/prefixes whose rate limit calls may name a user (comma-separated)",
       parsed_text_field(&Config::rls_trusted_peers, "ADDRESSES", rls::TrustedPeers::parse)},
      {kConfigFileKey, "GAIA_CONFIG", "--config", R::kNotInFile,
       "configuration file of `key = value` lines",
       text_field(&Config::config_file, "PATH", nullptr, "")},
      {"admin_key", "GAIA_ADMIN_KEY", "", R::kEnvironmentOnly,
       "an admin key to accept (32+ characters); unless set, one is made at the first start",
       text_field(&Config::admin_key, "KEY", is_long_secret, "at least 32 characters")},
      {"alert_webhook_secret", "GAIA_ALERT_WEBHOOK_SECRET", "", R::kEnvironmentOnly,
       "signs the alert webhook and users' own webhooks (HMAC-SHA256)",
       text_field(&Config::alert_webhook_secret, "SECRET", nullptr, "")},
  };
}

}  // namespace

std::span<const Setting> setting_table() {
  static const std::vector<Setting> table = make_table();
  return table;
}

const Setting* find_setting(std::string_view key) {
  std::span<const Setting> table = setting_table();
  auto it =
      std::find_if(table.begin(), table.end(), [&](const Setting& s) { return s.key == key; });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace gaia::app
