#pragma once
// Config: gaia_server's validated settings, and resolve_config(), which merges the three
// sources by precedence (flags > environment > file > defaults) and validates once. Each
// setting's names, parsing and help are a row of the table in settings.h; a field's default
// here is the default --help shows. Pure functions of their arguments; any thread.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/rule.h"
#include "core/status.h"

namespace gaia::app {

// Raw settings of one source, by setting key (settings.h: "port", "bind", "config"...).
using Settings = std::map<std::string, std::string>;

// Whether new admissions continue while the database is away (writes go to the journal
// either way).
enum class StoreFailure { kOpen, kClosed };

// What a check does when Redis, the counters of several nodes, does not answer in time:
// refuse (503 with Retry-After), admit, or count a share of the limit in this node.
enum class RedisFailure { kClosed, kOpen, kLocal };

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
  // The flush interval: how long an admission's usage (or a refusal's violation) may wait for
  // the store's group commit, so the most a kill -9 takes back. 0: each check waits for the
  // commit (and fsync) of its group before it is answered.
  unsigned store_flush_ms = 100;
  // Redis as the counters of several nodes (redis://[user:password@]host[:port][/db]); empty:
  // this node counts in its own memory. Each check waits for Redis at most
  // redis_deadline_ms, then redis_failure decides. A concurrency slot is a lease of
  // redis_lease_ttl_ms that the commands holding it renew every third of it.
  std::string redis_url;
  RedisFailure redis_failure = RedisFailure::kClosed;
  unsigned redis_deadline_ms = 5;
  unsigned redis_lease_ttl_ms = 6'000;
  std::string time_zone = "UTC";  // an IANA zone name, for calendar quotas
  unsigned io_threads = 1;        // default: the number of CPUs
  // HTTP connections open at once, in all and from one client address (IPv6: per /64); one
  // past either cap is closed at once.
  unsigned http_max_connections = 10'000;
  unsigned http_max_connections_per_ip = 1'000;
  // HTTPS: PEM files of the certificate chain and its private key; both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // The pools of blocking routes, one per class of work (api/api_pools.h): threads each, and
  // requests that may wait for a thread; one more is answered 503 with Retry-After.
  unsigned http_admin_threads = 2;
  unsigned http_admin_queue = 64;
  unsigned http_analytics_threads = 2;
  unsigned http_analytics_queue = 16;
  unsigned http_exec_threads = 2;
  unsigned http_exec_queue = 256;
  unsigned retention_days = 30;            // executions older than this are deleted
  unsigned violation_retention_days = 30;  // violations older than this are deleted
  bool metrics_open = false;               // GET /metrics without a key (loopback only)
  // The log: "text" or "json" lines, the least level logged ("debug", "info", "warn",
  // "error"), and the access log (a path, "-" for stdout, empty: off).
  std::string log_format = "text";
  std::string log_level = "info";
  std::string access_log;
  // On SIGTERM: no new work, running commands may finish for this long, then are cancelled.
  unsigned shutdown_grace_s = 30;
  std::string admin_key;  // registered as an admin key when set
  // The executor: workers running commands at once (default: the number of CPUs), the
  // longest a command waits in the queue, and what load throttling does below factor 1
  // (delay, or hold in the queue) and at 0 (wait, or refuse with 503).
  unsigned exec_workers = 1;
  unsigned queue_max_wait_s = 60;
  bool throttle_hold = false;
  bool throttle_refuse_at_zero = false;
  // The delay at factor f is (1 - f) times this (the check's delay_ms, the executor's wait).
  unsigned throttle_delay_ms = 1000;
  // Per tier (default, premium, enterprise): the shares of a calendar quota at which the check
  // warns, for limits whose rule sets no "warn_at".
  std::array<core::WarnThresholds, core::kTierCount> warn_at{
      core::kDefaultWarnPct, core::kDefaultWarnPct, core::kDefaultWarnPct};
  std::string proc_root = "/";  // where the load monitor reads proc/ and the cgroup mounts
  // A cgroup per command: "auto" (always, where the machine allows), "limits" (only for a
  // command with memory, CPU or process limits) or "off". Every command runs under its own
  // supervisor either way, which kills what it leaves behind.
  std::string exec_cgroups = "auto";
  // The local account commands run as when the server is root (scripts/setup.sh creates
  // it; "root" only when set so on purpose), and Gaia users with an account of their own.
  // A server that is not root runs commands as itself.
  std::string exec_user = "gaia-exec";
  std::map<std::string, std::string> exec_user_map;  // Gaia user name -> account
  // The confirmation reviewer (CLAUDE_CONFIRM_AI_ENABLED): off by default; when on, the
  // http[s]:// URL to POST commands no pattern decides to, its deadline, how many calls may be
  // under way at once, and the answer when it cannot help ("ask", "deny" or "approve").
  bool confirm_ai_enabled = false;
  std::string confirm_reviewer_url;
  unsigned confirm_reviewer_timeout_ms = 2000;
  unsigned confirm_reviewer_max_inflight = 16;
  std::string confirm_fallback = "ask";
  // Alerts: rules are evaluated every alert_interval_s seconds; alerts of rules naming the
  // "webhook" channel are POSTed to alert_webhook_url (http[s]://; none when empty), signed
  // with alert_webhook_secret (environment only) when set; the same secret signs the quota
  // warnings sent to users' own webhooks.
  unsigned alert_interval_s = 10;
  // PEM file of the CA certificates that the reviewer's and the webhooks' https:// peers are
  // checked against (GAIA_CA_FILE); empty: the system's.
  std::string ca_file;
  std::string alert_webhook_url;
  std::string alert_webhook_secret;
  // Seconds an agent's command that needs a person waits for an admin's approval
  // (POST /api/admin/approvals/{id}); 0 answers 428 at once.
  unsigned confirm_approval_wait_s = 0;
  // Of those, how many one user may have waiting at once: one user never takes the room of
  // every other (the desk holds 256 for all users together).
  unsigned confirm_approval_max_per_user = 16;
  // Analytics aggregates: flushed every analytics_flush_s seconds; minute, hour and day
  // buckets kept this many days (longer than raw executions).
  unsigned analytics_flush_s = 10;
  unsigned analytics_minute_days = 7;
  unsigned analytics_hour_days = 90;
  unsigned analytics_day_days = 730;
  // Envoy's rate limit service (gRPC, docs/envoy.md): off unless a port is set (0: any free
  // port); the domains it answers (rls/mapping.h) and the peers whose `user` entries it
  // accepts (rls/trusted_peers.h), both as written in the setting.
  std::optional<uint16_t> rls_port;
  unsigned rls_threads = 1;  // default: half the CPUs
  std::string rls_domains = "gaia";
  std::string rls_trusted_peers;
  std::string config_file;  // the file the settings were read from, if any
};

// The configuration when nothing is set: Config's defaults, with those that depend on the
// machine filled in (io_threads and exec_workers: the number of CPUs).
Config default_config();

// The configuration from `flags`, `env` and `file` (highest precedence first). On failure
// the message names the setting, where its value came from and what is expected.
core::Result<Config> resolve_config(const Settings& flags, const Settings& env,
                                    const Settings& file);

}  // namespace gaia::app
