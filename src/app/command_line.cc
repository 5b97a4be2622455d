#include "app/command_line.h"

#include <CLI/CLI.hpp>
#include <array>
#include <string>

#include "app/version.h"

namespace gaia::app {

namespace {

struct FlagSpec {
  const SettingName& name;
  const char* help;
};

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err) {
  CLI::App app("Gaia: a server that gates command execution.", "gaia_server");
  app.set_version_flag("--version", kVersion);
  app.footer(
      "Precedence: flags > environment (PORT, GAIA_BIND, DATABASE_URL, GAIA_TIME_ZONE,\n"
      "GAIA_THREADS, GAIA_RETENTION_DAYS, GAIA_METRICS_OPEN, GAIA_STORE_FAILURE,\n"
      "GAIA_STORE_CONNECT_RETRY_S, GAIA_DATA_DIR, GAIA_CONFIG) > config file (`key = value`\n"
      "lines: port, bind, database_url, time_zone, threads, retention_days, metrics_open,\n"
      "store_failure, store_connect_retry_s, data_dir).\n"
      "GAIA_ADMIN_KEY (environment only): a key to accept as an admin key.\n"
      "GAIA_ALERT_WEBHOOK_SECRET (environment only): signs alert webhooks (HMAC-SHA256).");
  const std::array<FlagSpec, 29> specs = {{
      {kPortSetting, "TCP port to listen on (env PORT, default 8080)"},
      {kBindSetting, "address to bind (env GAIA_BIND, default 127.0.0.1)"},
      {kDatabaseUrlSetting,
       "sqlite:PATH or postgres://... (env DATABASE_URL, default sqlite:./var/gaia.db)"},
      {kTimeZoneSetting, "time zone of calendar quotas (env GAIA_TIME_ZONE, default UTC)"},
      {kThreadsSetting, "HTTP io threads (env GAIA_THREADS, default: number of CPUs)"},
      {kRetentionSetting, "days executions are kept (env GAIA_RETENTION_DAYS, default 30)"},
      {kMetricsOpenSetting, "true: GET /metrics needs no key, loopback binds only (default false)"},
      {kStoreFailureSetting,
       "open|closed: admit new work while the database is away (default open)"},
      {kStoreConnectRetrySetting, "seconds to retry an unreachable database at start (default 30)"},
      {kDataDirSetting,
       "key.secret and the outage journal (default: beside the SQLite file, or ./var)"},
      {kExecWorkersSetting, "commands run at once (env GAIA_EXEC_WORKERS, default: CPUs)"},
      {kQueueMaxWaitSetting, "longest wait of a queued command, s (default 60)"},
      {kThrottleSlowSetting, "under load: delay (default) or hold commands in the queue"},
      {kThrottleStopSetting, "at throttle factor 0: wait (default) or refuse with 503"},
      {kProcRootSetting, "root of proc/ and the cgroup mounts (default /)"},
      {kExecCgroupsSetting, "a cgroup per command: auto, limits (default: limited ones) or off"},
      {kConfirmAiEnabledSetting,
       "true: ask the reviewer about commands no pattern decides (env CLAUDE_CONFIRM_AI_ENABLED)"},
      {kConfirmReviewerUrlSetting, "the reviewer's http:// URL (env GAIA_CONFIRM_REVIEWER_URL)"},
      {kConfirmReviewerTimeoutSetting, "the reviewer's deadline, ms (default 2000)"},
      {kConfirmReviewerMaxInflightSetting, "reviewer calls at once; more fall back (default 16)"},
      {kConfirmFallbackSetting, "ask (default), deny or approve when the reviewer cannot answer"},
      {kAlertIntervalSetting,
       "seconds between alert evaluations (env GAIA_ALERT_INTERVAL_S, default 10)"},
      {kAlertWebhookUrlSetting, "http:// URL alerts are POSTed to (env GAIA_ALERT_WEBHOOK_URL)"},
      {kConfirmApprovalWaitSetting,
       "s an agent's command needing a person waits for an admin (default 0: 428 at once)"},
      {kAnalyticsFlushSetting, "s between flushes of the analytics aggregates (default 10)"},
      {kAnalyticsMinuteDaysSetting, "days minute aggregates are kept (default 7)"},
      {kAnalyticsHourDaysSetting, "days hour aggregates are kept (default 90)"},
      {kAnalyticsDayDaysSetting, "days day aggregates are kept (default 730)"},
      {kConfigSetting, "configuration file of `key = value` lines (env GAIA_CONFIG)"},
  }};
  std::array<std::string, specs.size()> values;
  std::array<CLI::Option*, specs.size()> options{};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    options[i] = app.add_option(specs[i].name.flag, values[i], specs[i].help);
  }

  CommandLine result;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    result.exit_code = code == 0 ? 0 : 2;
    return result;
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (options[i]->count() > 0) result.flags[specs[i].name.key] = values[i];
  }
  return result;
}

}  // namespace gaia::app
