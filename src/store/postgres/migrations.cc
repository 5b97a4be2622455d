#include "store/postgres/migrations.h"

#include <string>

#include "store/migration.h"

namespace gaia::store::postgres {
namespace {

// Any constant: the key of the advisory lock that one migrating server holds.
constexpr const char* kLock = "SELECT pg_advisory_lock(7346151)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(7346151)";

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  tier TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id BIGSERIAL PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  hash BYTEA NOT NULL UNIQUE,
  created_at_ms BIGINT NOT NULL,
  revoked_at_ms BIGINT
);
CREATE INDEX api_keys_by_user ON api_keys(user_id);
CREATE TABLE quota_rules (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  command TEXT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  cpu_ms BIGINT NOT NULL,
  peak_memory_bytes BIGINT NOT NULL,
  exit_code INTEGER,
  signal INTEGER
);
CREATE INDEX executions_by_start ON executions(started_at_ms);
CREATE INDEX executions_by_user ON executions(user_id, started_at_ms);
CREATE TABLE quota_usage (
  user_id BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  day_start_ms BIGINT NOT NULL,
  used BIGINT NOT NULL,
  PRIMARY KEY (user_id, key_id, type, day_start_ms)
);
CREATE INDEX quota_usage_by_day ON quota_usage(day_start_ms);
CREATE TABLE violations (
  id BIGSERIAL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  limit_name TEXT NOT NULL,
  command TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX violations_by_time ON violations(at_ms);
CREATE INDEX violations_by_user ON violations(user_id, at_ms);
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log(at_ms);
CREATE VIEW quota_status AS
  SELECT u.name AS "user", q.type, q.day_start_ms, SUM(q.used) AS used
  FROM quota_usage q JOIN users u ON u.id = q.user_id
  GROUP BY u.name, q.type, q.day_start_ms;
)sql"},
    {2, R"sql(
CREATE TABLE journal_marks (
  segment BIGINT PRIMARY KEY,
  through_seq BIGINT NOT NULL
);
)sql"},
    {3, R"sql(
CREATE TABLE confirm_patterns (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE TABLE confirm_patterns_seeded (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  at_ms BIGINT NOT NULL
);
CREATE TABLE confirm_decisions (
  id BIGSERIAL PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  user_name TEXT NOT NULL,
  key_id BIGINT NOT NULL,
  command TEXT NOT NULL,
  cwd TEXT NOT NULL,
  session_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  decision TEXT NOT NULL,
  source TEXT NOT NULL,
  pattern_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  reviewer_latency_ms BIGINT
);
CREATE INDEX confirm_decisions_by_time ON confirm_decisions(at_ms);
CREATE INDEX confirm_decisions_by_user ON confirm_decisions(user_name, id);
CREATE TABLE reputation (
  user_name TEXT PRIMARY KEY,
  score DOUBLE PRECISION NOT NULL,
  updated_at_ms BIGINT NOT NULL,
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
  id BIGSERIAL PRIMARY KEY,
  granularity SMALLINT NOT NULL,
  bucket_start_ms BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  key_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  limit_name TEXT NOT NULL,
  count BIGINT NOT NULL,
  cost BIGINT NOT NULL,
  duration_ms_sum BIGINT NOT NULL,
  duration_ms_max BIGINT NOT NULL,
  cpu_ms_sum BIGINT NOT NULL,
  cpu_ms_max BIGINT NOT NULL,
  peak_memory_max BIGINT NOT NULL,
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
  id BIGSERIAL PRIMARY KEY,
  body TEXT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE TABLE alert_rules_seeded (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  at_ms BIGINT NOT NULL
);
CREATE TABLE alerts (
  id BIGSERIAL PRIMARY KEY,
  rule_id BIGINT NOT NULL,
  rule_name TEXT NOT NULL,
  metric TEXT NOT NULL,
  scope TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  started_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  ack_by TEXT NOT NULL DEFAULT '',
  ack_at_ms BIGINT,
  ack_note TEXT NOT NULL DEFAULT '',
  silenced_until_ms BIGINT
);
CREATE INDEX alerts_by_state ON alerts(state, id);
CREATE INDEX alerts_by_rule ON alerts(rule_id, id);
CREATE TABLE alert_transitions (
  id BIGSERIAL PRIMARY KEY,
  alert_id BIGINT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX alert_transitions_by_alert ON alert_transitions(alert_id, id);
)sql"},
    // Sketches are binary from here on; the text ones of earlier rows become their UTF-8
    // bytes, which the sketch decoder still reads as the text form.
    {7, R"sql(
ALTER TABLE analytics_aggregates
  ALTER COLUMN duration_sketch TYPE BYTEA USING convert_to(duration_sketch, 'UTF8'),
  ALTER COLUMN cpu_sketch TYPE BYTEA USING convert_to(cpu_sketch, 'UTF8'),
  ALTER COLUMN memory_sketch TYPE BYTEA USING convert_to(memory_sketch, 'UTF8');
)sql"},
    // Keys an admin marks as an agent's, the key GAIA_ADMIN_KEY registered (until now known
    // by its label), and users deleted (their rows stay: history refers to them).
    {8, R"sql(
ALTER TABLE users ADD COLUMN deleted_at_ms BIGINT;
ALTER TABLE api_keys ADD COLUMN agent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN from_env INTEGER NOT NULL DEFAULT 0;
UPDATE api_keys SET from_env = 1 WHERE label = 'from GAIA_ADMIN_KEY';
)sql"},
    // Execution ids are unique per user, not across users.
    {9, R"sql(
ALTER TABLE executions DROP CONSTRAINT executions_pkey;
ALTER TABLE executions ADD PRIMARY KEY (user_id, id);
)sql"},
    // Several nodes on one database: every write of what a node holds in memory (users and
    // tiers, keys and revocations, rules and overrides, patterns, alert rules) notifies
    // 'gaia_changes' with the table's name, in the writing transaction, so a notification is
    // sent only once the change is committed. The nodes that serve, and their last heartbeat.
    {10, R"sql(
CREATE FUNCTION gaia_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gaia_changes', TG_TABLE_NAME);
  RETURN NULL;
END $$;
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION gaia_notify_change();
CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION gaia_notify_change();
CREATE TRIGGER quota_rules_changed AFTER INSERT OR UPDATE OR DELETE ON quota_rules
  FOR EACH STATEMENT EXECUTE FUNCTION gaia_notify_change();
CREATE TRIGGER confirm_patterns_changed AFTER INSERT OR UPDATE OR DELETE ON confirm_patterns
  FOR EACH STATEMENT EXECUTE FUNCTION gaia_notify_change();
CREATE TRIGGER alert_rules_changed AFTER INSERT OR UPDATE OR DELETE ON alert_rules
  FOR EACH STATEMENT EXECUTE FUNCTION gaia_notify_change();
CREATE TABLE cluster_nodes (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  started_at_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  health TEXT NOT NULL,
  load DOUBLE PRECISION NOT NULL,
  admissions BIGINT NOT NULL,
  refusals BIGINT NOT NULL
);
)sql"},
    // Writes the database refused for what they hold, each set aside alone by the write
    // queue so that it never blocks the others (store/dead_letter_store.h).
    {11, R"sql(
CREATE TABLE dead_letters (
  id BIGSERIAL PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  kind TEXT NOT NULL,
  row_text TEXT NOT NULL,
  error TEXT NOT NULL
);
)sql"},
    // A user's own webhook (quota warnings), set by an admin; NULL: none.
    {12, R"sql(
ALTER TABLE users ADD COLUMN webhook_url TEXT;
)sql"},
    // Rule bodies may name their own outage policy ("outage"). Nothing to alter: the body is
    // the rule's JSON. The version keeps a binary that does not know the field, and would
    // follow GAIA_REDIS_FAILURE for every rule, off a database whose rules may name one.
    {13, "SELECT 1;\n"},
    // Refusals stored as episodes (store/violation_store.h): one row per (user, key, type,
    // deciding limit, second), with its count and first time (at_ms is the last). Existing
    // rows are folded by the same grain: the first of each group and second takes the group's
    // count and times and keeps its id and command (the sample); the others go (by a join:
    // NOT IN over a large table may not fit in memory and scan once per row). Every old
    // violation is still counted.
    {14, R"sql(
ALTER TABLE violations ADD COLUMN second BIGINT NOT NULL DEFAULT 0;
ALTER TABLE violations ADD COLUMN count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE violations ADD COLUMN first_ms BIGINT NOT NULL DEFAULT 0;
UPDATE violations SET second = at_ms / 1000, first_ms = at_ms;
UPDATE violations SET count = g.n, first_ms = g.first_ms, at_ms = g.last_ms
  FROM (SELECT MIN(id) AS first_id, COUNT(*) AS n, MIN(at_ms) AS first_ms, MAX(at_ms) AS last_ms
        FROM violations GROUP BY user_id, key_id, type, limit_name, second) AS g
  WHERE violations.id = g.first_id AND g.n > 1;
DELETE FROM violations USING
  (SELECT MIN(id) AS first_id, user_id, key_id, type, limit_name, second FROM violations
   GROUP BY user_id, key_id, type, limit_name, second) AS g
  WHERE violations.user_id = g.user_id AND violations.key_id = g.key_id
    AND violations.type = g.type AND violations.limit_name = g.limit_name
    AND violations.second = g.second AND violations.id <> g.first_id;
CREATE UNIQUE INDEX violations_by_episode
  ON violations(user_id, key_id, type, limit_name, second);
)sql"},
    // Command types admins add beside the built-in ones (store/rule_store.h); a removed one
    // stays, retired, to keep its place in the order. Every node reloads its rules on a change.
    {15, R"sql(
CREATE TABLE command_types (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  retired INTEGER NOT NULL DEFAULT 0,
  updated_at_ms BIGINT NOT NULL
);
CREATE TRIGGER command_types_changed AFTER INSERT OR UPDATE OR DELETE ON command_types
  FOR EACH STATEMENT EXECUTE FUNCTION gaia_notify_change();
)sql"},
};

core::Status migrate_locked(Connection& db, int through) {
  if (core::Status s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                               "version INTEGER PRIMARY KEY, applied_at_ms BIGINT NOT NULL)");
      !s.ok()) {
    return s;
  }
  auto rows =
      db.run("gaia_schema_version", "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
  if (!rows.ok()) return rows.status();
  static constexpr MigrationDialect kDialect{
      "BEGIN", "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT"};
  return apply_migrations(kMigrations, static_cast<int>(rows->int64(0, 0)), through, kDialect,
                          [&](const std::string& sql) { return db.exec(sql.c_str()); });
}

}  // namespace

int latest_schema_version() { return latest_version(kMigrations); }

core::Status migrate(Connection& db, int through) {
  if (core::Status s = db.exec(kLock); !s.ok()) return s;
  core::Status result = migrate_locked(db, through);
  (void)db.exec(kUnlock);
  return result;
}

}  // namespace gaia::store::postgres
