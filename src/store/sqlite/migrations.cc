#include "store/sqlite/migrations.h"

#include <string>

#include "store/migration.h"

namespace gaia::store::sqlite {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  tier TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  hash BLOB NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE INDEX api_keys_by_user ON api_keys(user_id);
CREATE TABLE quota_rules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  command TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  cpu_ms INTEGER NOT NULL,
  peak_memory_bytes INTEGER NOT NULL,
  exit_code INTEGER,
  signal INTEGER
);
CREATE INDEX executions_by_start ON executions(started_at_ms);
CREATE INDEX executions_by_user ON executions(user_id, started_at_ms);
CREATE TABLE quota_usage (
  user_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  day_start_ms INTEGER NOT NULL,
  used INTEGER NOT NULL,
  PRIMARY KEY (user_id, key_id, type, day_start_ms)
) WITHOUT ROWID;
CREATE INDEX quota_usage_by_day ON quota_usage(day_start_ms);
CREATE TABLE violations (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  limit_name TEXT NOT NULL,
  command TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX violations_by_time ON violations(at_ms);
CREATE INDEX violations_by_user ON violations(user_id, at_ms);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log(at_ms);
CREATE VIEW quota_status AS
  SELECT u.name AS user, q.type, q.day_start_ms, SUM(q.used) AS used
  FROM quota_usage q JOIN users u ON u.id = q.user_id
  GROUP BY u.name, q.type, q.day_start_ms;
)sql"},
    {2, R"sql(
CREATE TABLE journal_marks (
  segment INTEGER PRIMARY KEY,
  through_seq INTEGER NOT NULL
);
)sql"},
    {3, R"sql(
CREATE TABLE confirm_patterns (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE confirm_patterns_seeded (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  at_ms INTEGER NOT NULL
);
CREATE TABLE confirm_decisions (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  key_id INTEGER NOT NULL,
  command TEXT NOT NULL,
  cwd TEXT NOT NULL,
  session_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  decision TEXT NOT NULL,
  source TEXT NOT NULL,
  pattern_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  reviewer_latency_ms INTEGER
);
CREATE INDEX confirm_decisions_by_time ON confirm_decisions(at_ms);
CREATE INDEX confirm_decisions_by_user ON confirm_decisions(user_name, id);
CREATE TABLE reputation (
  user_name TEXT PRIMARY KEY,
  score REAL NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  events TEXT NOT NULL
);
)sql"},
    {4, R"sql(
CREATE INDEX violations_by_type ON violations(type, id);
CREATE INDEX violations_by_limit ON violations(limit_name, id);
CREATE INDEX violations_by_user_id ON violations(user_id, id);
)sql"},
    {5, R"sql(
CREATE TABLE analytics_aggregates (
  id INTEGER PRIMARY KEY,
  granularity INTEGER NOT NULL,
  bucket_start_ms INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  limit_name TEXT NOT NULL,
  count INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  duration_ms_sum INTEGER NOT NULL,
  duration_ms_max INTEGER NOT NULL,
  cpu_ms_sum INTEGER NOT NULL,
  cpu_ms_max INTEGER NOT NULL,
  peak_memory_max INTEGER NOT NULL,
  duration_sketch TEXT NOT NULL,
  cpu_sketch TEXT NOT NULL,
  memory_sketch TEXT NOT NULL
);
CREATE INDEX analytics_aggregates_by_bucket ON analytics_aggregates(granularity, bucket_start_ms);
CREATE INDEX analytics_aggregates_by_user
  ON analytics_aggregates(granularity, user_id, bucket_start_ms);
)sql"},
    {6, R"sql(
CREATE TABLE alert_rules (
  id INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE alert_rules_seeded (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  at_ms INTEGER NOT NULL
);
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  rule_id INTEGER NOT NULL,
  rule_name TEXT NOT NULL,
  metric TEXT NOT NULL,
  scope TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  started_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  ack_by TEXT NOT NULL DEFAULT '',
  ack_at_ms INTEGER,
  ack_note TEXT NOT NULL DEFAULT '',
  silenced_until_ms INTEGER
);
CREATE INDEX alerts_by_state ON alerts(state, id);
CREATE INDEX alerts_by_rule ON alerts(rule_id, id);
CREATE TABLE alert_transitions (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  value REAL NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX alert_transitions_by_alert ON alert_transitions(alert_id, id);
)sql"},
    // Sketches are binary from here on, bound as BLOBs, which TEXT affinity stores unchanged;
    // the text ones of earlier rows stay as they are and are still read. Nothing to alter:
    // the version records that the sketch columns may hold either.
    {7, "SELECT 1;\n"},
    // Keys an admin marks as an agent's, the key GAIA_ADMIN_KEY registered (until now known
    // by its label), and users deleted (their rows stay: history refers to them).
    {8, R"sql(
ALTER TABLE users ADD COLUMN deleted_at_ms INTEGER;
ALTER TABLE api_keys ADD COLUMN agent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN from_env INTEGER NOT NULL DEFAULT 0;
UPDATE api_keys SET from_env = 1 WHERE label = 'from GAIA_ADMIN_KEY';
)sql"},
    // Execution ids are unique per user, not across users: the table is rebuilt with the key
    // (user_id, id), as SQLite cannot change a primary key in place.
    {9, R"sql(
CREATE TABLE executions_by_user_id (
  id TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  type TEXT NOT NULL,
  command TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  cpu_ms INTEGER NOT NULL,
  peak_memory_bytes INTEGER NOT NULL,
  exit_code INTEGER,
  signal INTEGER,
  PRIMARY KEY (user_id, id)
);
INSERT INTO executions_by_user_id SELECT id, user_id, key_id, type, command, started_at_ms,
  duration_ms, cpu_ms, peak_memory_bytes, exit_code, signal FROM executions;
DROP TABLE executions;
ALTER TABLE executions_by_user_id RENAME TO executions;
CREATE INDEX executions_by_start ON executions(started_at_ms);
CREATE INDEX executions_by_user ON executions(user_id, started_at_ms);
)sql"},
    // Writes the database refused for what they hold, each set aside alone by the write
    // queue so that it never blocks the others (store/dead_letter_store.h).
    {10, R"sql(
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  row_text TEXT NOT NULL,
  error TEXT NOT NULL
);
)sql"},
    // A user's own webhook (quota warnings), set by an admin; NULL: none.
    {11, R"sql(
ALTER TABLE users ADD COLUMN webhook_url TEXT;
)sql"},
    // Rule bodies may name their own outage policy ("outage"). Nothing to alter: the body is
    // the rule's JSON. The version keeps a binary that does not know the field, and would
    // follow GAIA_REDIS_FAILURE for every rule, off a database whose rules may name one.
    {12, "SELECT 1;\n"},
    // Refusals stored as episodes (store/violation_store.h): one row per (user, key, type,
    // deciding limit, second), with its count and first time (at_ms is the last). Existing
    // rows are folded by the same grain: the first of each group and second takes the group's
    // count and times and keeps its id and command (the sample); the others go. Every old
    // violation is still counted.
    {13, R"sql(
ALTER TABLE violations ADD COLUMN second INTEGER NOT NULL DEFAULT 0;
ALTER TABLE violations ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE violations ADD COLUMN first_ms INTEGER NOT NULL DEFAULT 0;
UPDATE violations SET second = at_ms / 1000, first_ms = at_ms;
UPDATE violations SET count = g.n, first_ms = g.first_ms, at_ms = g.last_ms
  FROM (SELECT MIN(id) AS first_id, COUNT(*) AS n, MIN(at_ms) AS first_ms, MAX(at_ms) AS last_ms
        FROM violations GROUP BY user_id, key_id, type, limit_name, second) AS g
  WHERE violations.id = g.first_id AND g.n > 1;
DELETE FROM violations WHERE id NOT IN
  (SELECT MIN(id) FROM violations GROUP BY user_id, key_id, type, limit_name, second);
CREATE UNIQUE INDEX violations_by_episode
  ON violations(user_id, key_id, type, limit_name, second);
)sql"},
    // Command types admins add beside the built-in ones (store/rule_store.h); a removed one
    // stays, retired, to keep its place in the order.
    {14, R"sql(
CREATE TABLE command_types (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  retired INTEGER NOT NULL DEFAULT 0,
  updated_at_ms INTEGER NOT NULL
);
)sql"},
};

core::Result<int> current_version(Connection& db) {
  if (core::Status s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                               "version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)");
      !s.ok()) {
    return s;
  }
  auto stmt = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->step();
  if (!row.ok()) return row.status();
  return static_cast<int>(stmt->int64(0));
}

}  // namespace

int latest_schema_version() { return latest_version(kMigrations); }

core::Status migrate(Connection& db, int through) {
  auto version = current_version(db);
  if (!version.ok()) return version.status();
  static constexpr MigrationDialect kDialect{
      "BEGIN IMMEDIATE", "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"};
  return apply_migrations(kMigrations, version.value(), through, kDialect,
                          [&](const std::string& sql) { return db.exec(sql); });
}

}  // namespace gaia::store::sqlite
