#pragma once
// Config: gaia_server's validated settings, and resolve_config(), which merges the three
// sources by precedence (flags > environment > file > defaults) and validates once.
// Pure functions of their arguments; any thread.

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace gaia::app {

// Raw settings of one source, by setting key ("port", "bind", "database_url", "time_zone",
// "threads"; "config" for the file path, which a file cannot set).
using Settings = std::map<std::string, std::string>;

// One setting's spellings in each source, used to read the sources and name errors.
struct SettingName {
  const char* key;   // in a config file and in Settings
  const char* env;   // environment variable
  const char* flag;  // command-line flag
};
inline constexpr SettingName kPortSetting{"port", "PORT", "--port"};
inline constexpr SettingName kBindSetting{"bind", "GAIA_BIND", "--bind"};
inline constexpr SettingName kDatabaseUrlSetting{"database_url", "DATABASE_URL", "--database-url"};
inline constexpr SettingName kTimeZoneSetting{"time_zone", "GAIA_TIME_ZONE", "--time-zone"};
inline constexpr SettingName kThreadsSetting{"threads", "GAIA_THREADS", "--threads"};
inline constexpr SettingName kRetentionSetting{"retention_days", "GAIA_RETENTION_DAYS",
                                               "--retention-days"};
inline constexpr SettingName kMetricsOpenSetting{"metrics_open", "GAIA_METRICS_OPEN",
                                                 "--metrics-open"};
inline constexpr SettingName kStoreFailureSetting{"store_failure", "GAIA_STORE_FAILURE",
                                                  "--store-failure"};
inline constexpr SettingName kStoreConnectRetrySetting{
    "store_connect_retry_s", "GAIA_STORE_CONNECT_RETRY_S", "--store-connect-retry-s"};
inline constexpr SettingName kDataDirSetting{"data_dir", "GAIA_DATA_DIR", "--data-dir"};
inline constexpr SettingName kExecWorkersSetting{"exec_workers", "GAIA_EXEC_WORKERS",
                                                 "--exec-workers"};
inline constexpr SettingName kQueueMaxWaitSetting{"queue_max_wait_s", "GAIA_QUEUE_MAX_WAIT_S",
                                                  "--queue-max-wait-s"};
inline constexpr SettingName kThrottleSlowSetting{"throttle_slow", "GAIA_THROTTLE_SLOW",
                                                  "--throttle-slow"};
inline constexpr SettingName kThrottleStopSetting{"throttle_stop", "GAIA_THROTTLE_STOP",
                                                  "--throttle-stop"};
inline constexpr SettingName kExecCgroupsSetting{"exec_cgroups", "GAIA_EXEC_CGROUPS",
                                                 "--exec-cgroups"};
inline constexpr SettingName kProcRootSetting{"proc_root", "GAIA_PROC_ROOT", "--proc-root"};
// The confirmation policy's reviewer: asked when no pattern decides a command.
inline constexpr SettingName kConfirmAiEnabledSetting{
    "confirm_ai_enabled", "CLAUDE_CONFIRM_AI_ENABLED", "--confirm-ai-enabled"};
inline constexpr SettingName kConfirmReviewerUrlSetting{
    "confirm_reviewer_url", "GAIA_CONFIRM_REVIEWER_URL", "--confirm-reviewer-url"};
inline constexpr SettingName kConfirmReviewerTimeoutSetting{"confirm_reviewer_timeout_ms",
                                                            "GAIA_CONFIRM_REVIEWER_TIMEOUT_MS",
                                                            "--confirm-reviewer-timeout-ms"};
inline constexpr SettingName kConfirmReviewerMaxInflightSetting{
    "confirm_reviewer_max_inflight", "GAIA_CONFIRM_REVIEWER_MAX_INFLIGHT",
    "--confirm-reviewer-max-inflight"};
inline constexpr SettingName kConfirmFallbackSetting{"confirm_fallback", "GAIA_CONFIRM_FALLBACK",
                                                     "--confirm-fallback"};
// Alerts: the evaluator's interval and the webhook channel.
inline constexpr SettingName kAlertIntervalSetting{"alert_interval_s", "GAIA_ALERT_INTERVAL_S",
                                                   "--alert-interval-s"};
inline constexpr SettingName kAlertWebhookUrlSetting{"alert_webhook_url", "GAIA_ALERT_WEBHOOK_URL",
                                                     "--alert-webhook-url"};
// How long an agent's command the policy asks about waits for an admin; 0: answer 428 at once.
inline constexpr SettingName kConfirmApprovalWaitSetting{
    "confirm_approval_wait_s", "GAIA_CONFIRM_APPROVAL_WAIT_S", "--confirm-approval-wait-s"};
// Analytics: how often the aggregates are flushed to the store, and how many days minute,
// hour and day aggregates are kept.
inline constexpr SettingName kAnalyticsFlushSetting{"analytics_flush_s", "GAIA_ANALYTICS_FLUSH_S",
                                                    "--analytics-flush-s"};
inline constexpr SettingName kAnalyticsMinuteDaysSetting{
    "analytics_minute_days", "GAIA_ANALYTICS_MINUTE_DAYS", "--analytics-minute-days"};
inline constexpr SettingName kAnalyticsHourDaysSetting{
    "analytics_hour_days", "GAIA_ANALYTICS_HOUR_DAYS", "--analytics-hour-days"};
inline constexpr SettingName kAnalyticsDayDaysSetting{
    "analytics_day_days", "GAIA_ANALYTICS_DAY_DAYS", "--analytics-day-days"};
inline constexpr SettingName kConfigSetting{"config", "GAIA_CONFIG", "--config"};
// A secret: read from the environment only, never from a flag (visible in `ps`) or a file.
inline constexpr SettingName kAdminKeySetting{"admin_key", "GAIA_ADMIN_KEY", ""};
inline constexpr SettingName kAlertWebhookSecretSetting{"alert_webhook_secret",
                                                        "GAIA_ALERT_WEBHOOK_SECRET", ""};
inline constexpr SettingName kFileSettings[] = {kPortSetting,
                                                kBindSetting,
                                                kDatabaseUrlSetting,
                                                kTimeZoneSetting,
                                                kThreadsSetting,
                                                kRetentionSetting,
                                                kMetricsOpenSetting,
                                                kStoreFailureSetting,
                                                kStoreConnectRetrySetting,
                                                kDataDirSetting,
                                                kExecWorkersSetting,
                                                kQueueMaxWaitSetting,
                                                kThrottleSlowSetting,
                                                kThrottleStopSetting,
                                                kProcRootSetting,
                                                kExecCgroupsSetting,
                                                kConfirmAiEnabledSetting,
                                                kConfirmReviewerUrlSetting,
                                                kConfirmReviewerTimeoutSetting,
                                                kConfirmReviewerMaxInflightSetting,
                                                kConfirmFallbackSetting,
                                                kAlertIntervalSetting,
                                                kAlertWebhookUrlSetting,
                                                kConfirmApprovalWaitSetting,
                                                kAnalyticsFlushSetting,
                                                kAnalyticsMinuteDaysSetting,
                                                kAnalyticsHourDaysSetting,
                                                kAnalyticsDayDaysSetting};
// The settings a configuration file cannot hold: the file's own path and the secrets.
inline constexpr SettingName kNotInFileSettings[] = {kConfigSetting, kAdminKeySetting,
                                                     kAlertWebhookSecretSetting};

// Whether new admissions continue while the database is away (writes go to the journal
// either way).
enum class StoreFailure { kOpen, kClosed };

struct Config {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port
  std::string database_url = "sqlite:./var/gaia.db";
  std::string sqlite_path = "./var/gaia.db";  // from a sqlite: database_url
  std::string postgres_url;                   // a postgres:// database_url, else empty
  // Local state: key.secret and the outage journal (journal/). Default: the SQLite file's
  // directory, or ./var with PostgreSQL.
  std::string data_dir = "./var";
  StoreFailure store_failure = StoreFailure::kOpen;
  unsigned store_connect_retry_s = 30;  // at start-up, retry an unreachable database this long
  std::string time_zone = "UTC";        // an IANA zone name, for calendar quotas
  unsigned io_threads = 1;              // default: the number of CPUs
  unsigned retention_days = 30;         // executions older than this are deleted
  bool metrics_open = false;            // GET /metrics without a key (loopback only)
  std::string admin_key;                // registered as an admin key when set
  // The executor: workers running commands at once (default: the number of CPUs), the
  // longest a command waits in the queue, and what load throttling does below factor 1
  // (delay, or hold in the queue) and at 0 (wait, or refuse with 503).
  unsigned exec_workers = 1;
  unsigned queue_max_wait_s = 60;
  bool throttle_hold = false;
  bool throttle_refuse_at_zero = false;
  std::string proc_root = "/";  // where the load monitor reads proc/ and the cgroup mounts
  // A cgroup per command: "auto" (always, where the machine allows), "limits" (only for a
  // command with memory, CPU or process limits) or "off".
  std::string exec_cgroups = "limits";
  // The confirmation reviewer (CLAUDE_CONFIRM_AI_ENABLED): off by default; when on, the
  // http:// URL to POST commands no pattern decides to, its deadline, how many calls may be
  // under way at once, and the answer when it cannot help ("ask", "deny" or "approve").
  bool confirm_ai_enabled = false;
  std::string confirm_reviewer_url;
  unsigned confirm_reviewer_timeout_ms = 2000;
  unsigned confirm_reviewer_max_inflight = 16;
  std::string confirm_fallback = "ask";
  // Alerts: rules are evaluated every alert_interval_s seconds; alerts of rules naming the
  // "webhook" channel are POSTed to alert_webhook_url (http://; none when empty), signed
  // with alert_webhook_secret (environment only) when set.
  unsigned alert_interval_s = 10;
  std::string alert_webhook_url;
  std::string alert_webhook_secret;
  // Seconds an agent's command that needs a person waits for an admin's approval
  // (POST /api/admin/approvals/{id}); 0 answers 428 at once.
  unsigned confirm_approval_wait_s = 0;
  // Analytics aggregates: flushed every analytics_flush_s seconds; minute, hour and day
  // buckets kept this many days (longer than raw executions).
  unsigned analytics_flush_s = 10;
  unsigned analytics_minute_days = 7;
  unsigned analytics_hour_days = 90;
  unsigned analytics_day_days = 730;
};

// `url` with any password replaced by "***" (postgres://user:***@host/db), for logs and
// /health.
std::string redacted_url(const std::string& url);

// The configuration from `flags`, `env` and `file` (highest precedence first). On failure
// the message names the setting, where its value came from and what is expected.
core::Result<Config> resolve_config(const Settings& flags, const Settings& env,
                                    const Settings& file);

}  // namespace gaia::app
