// PostgresStore's alert rules and alerts (store/alert_store.h).

#include "store/sql/alert_store.h"

#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

Param real(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return Param(text);
}

constexpr const char* kListAlerts =
    "SELECT id, rule_id, rule_name, metric, scope, severity, state, value, threshold, "
    "started_at_ms, updated_at_ms, ack_by, ack_at_ms, ack_note, silenced_until_ms FROM alerts "
    "WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR severity = $2) "
    "AND ($3::bigint IS NULL OR rule_id = $3) AND ($4::bigint IS NULL OR id < $4) "
    "AND ($5::bigint IS NULL OR id = $5) ORDER BY id DESC LIMIT $6";

std::vector<StoredAlert> alerts_of(const Rows& rows) {
  return rows.collect<StoredAlert>(sql::alert_of<Row>);
}

Status insert_transitions(Connection& db, uint64_t alert_id,
                          const std::vector<AlertTransition>& transitions) {
  for (const AlertTransition& t : transitions) {
    auto rows = db.run("insert_alert_transition",
                       "INSERT INTO alert_transitions (alert_id, state, value, at_ms) "
                       "VALUES ($1, $2, $3::double precision, $4)",
                       {param(alert_id), param(t.state), real(t.value), param(t.at_ms)});
    if (!rows.ok()) return rows.status();
  }
  return {};
}

// Fills in the transitions of `alerts` with one query.
Status attach_transitions(Connection& db, std::vector<StoredAlert>& alerts) {
  if (alerts.empty()) return {};
  std::unordered_map<uint64_t, StoredAlert*> by_id;
  std::string ids = "{";
  for (StoredAlert& a : alerts) {
    by_id[a.id] = &a;
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(a.id);
  }
  ids += '}';
  auto rows = db.run("list_alert_transitions",
                     "SELECT alert_id, state, value, at_ms FROM alert_transitions "
                     "WHERE alert_id = ANY($1::bigint[]) ORDER BY id",
                     {Param(ids)});
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->size(); ++i) {
    auto it = by_id.find(rows->uint64(i, 0));
    if (it == by_id.end()) continue;
    it->second->transitions.push_back({rows->text(i, 1), rows->row(i).real(2), rows->int64(i, 3)});
  }
  return {};
}

class PostgresAlertStore final : public AlertStore {
 public:
  explicit PostgresAlertStore(Database& db) : db_(db) {}

  Result<std::vector<StoredAlertRule>> list_alert_rules() override;
  Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) override;
  Status put_alert_rule(const StoredAlertRule& rule) override;
  Status delete_alert_rule(uint64_t id) override;
  Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) override;
  Result<uint64_t> save_alert(const StoredAlert& alert,
                              const std::vector<AlertTransition>& added) override;
  Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) override;
  Result<std::optional<StoredAlert>> find_alert(uint64_t id) override;

 private:
  Database& db_;
};

Result<std::vector<StoredAlertRule>> PostgresAlertStore::list_alert_rules() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_alert_rules", detail::postgres_text<sql::kListAlertRules>, {});
  if (!rows.ok()) return rows.status();
  std::vector<StoredAlertRule> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->uint64(i, 0), rows->text(i, 1), rows->int64(i, 2)});
  }
  return out;
}

Result<uint64_t> PostgresAlertStore::add_alert_rule(std::string_view body, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("add_alert_rule",
                    "INSERT INTO alert_rules (body, updated_at_ms) VALUES ($1, $2) RETURNING id",
                    {param(body), param(now_ms)});
  if (!rows.ok()) return rows.status();
  return rows->uint64(0, 0);
}

Status PostgresAlertStore::put_alert_rule(const StoredAlertRule& rule) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("put_alert_rule", detail::postgres_text<sql::kPutAlertRule>,
                            {param(rule.id), param(rule.body), param(rule.updated_at_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no alert rule " + std::to_string(rule.id));
  return {};
}

Status PostgresAlertStore::delete_alert_rule(uint64_t id) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("delete_alert_rule", detail::postgres_text<sql::kDeleteAlertRule>, {param(id)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no alert rule " + std::to_string(id));
  return {};
}

Result<bool> PostgresAlertStore::seed_alert_rules(const std::vector<std::string>& bodies,
                                                  int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<bool> {
    // Several servers may start at once: the primary key lets exactly one of them seed.
    auto mark = db.run("seed_alert_rules_mark", detail::postgres_text<sql::kMarkAlertRulesSeeded>,
                       {param(now_ms)});
    if (!mark.ok()) return mark.status();
    if (mark->affected() == 0) return false;
    for (const std::string& body : bodies) {
      auto rows = db.run("seed_alert_rule", detail::postgres_text<sql::kInsertAlertRule>,
                         {param(body), param(now_ms)});
      if (!rows.ok()) return rows.status();
    }
    return true;
  });
}

Result<uint64_t> PostgresAlertStore::save_alert(const StoredAlert& a,
                                                const std::vector<AlertTransition>& added) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<uint64_t> {
    if (a.id == 0) {
      auto rows =
          db.run("insert_alert",
                 "INSERT INTO alerts (rule_id, rule_name, metric, scope, severity, state, value, "
                 "threshold, started_at_ms, updated_at_ms, ack_by, ack_at_ms, ack_note, "
                 "silenced_until_ms) VALUES ($1, $2, $3, $4, $5, $6, $7::double precision, "
                 "$8::double precision, $9, $10, $11, $12, $13, $14) RETURNING id",
                 {param(a.rule_id), param(a.rule_name), param(a.metric), param(a.scope),
                  param(a.severity), param(a.state), real(a.value), real(a.threshold),
                  param(a.started_at_ms), param(a.updated_at_ms), param(a.ack_by),
                  param(a.ack_at_ms), param(a.ack_note), param(a.silenced_until_ms)});
      if (!rows.ok()) return rows.status();
      const uint64_t id = rows->uint64(0, 0);
      if (Status t = insert_transitions(db, id, a.transitions); !t.ok()) return t;
      if (Status t = insert_transitions(db, id, added); !t.ok()) return t;
      return id;
    }
    auto rows =
        db.run("update_alert",
               "UPDATE alerts SET state = $2, value = $3::double precision, updated_at_ms = $4, "
               "ack_by = $5, ack_at_ms = $6, ack_note = $7, silenced_until_ms = $8 WHERE id = $1",
               {param(a.id), param(a.state), real(a.value), param(a.updated_at_ms), param(a.ack_by),
                param(a.ack_at_ms), param(a.ack_note), param(a.silenced_until_ms)});
    if (!rows.ok()) return rows.status();
    if (rows->affected() == 0) return Status::not_found("no alert " + std::to_string(a.id));
    if (Status t = insert_transitions(db, a.id, added); !t.ok()) return t;
    return a.id;
  });
}

Result<std::vector<StoredAlert>> PostgresAlertStore::list_alerts(const AlertFilter& f) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("list_alerts", kListAlerts,
                    {text_or_null(f.state), text_or_null(f.severity), param(f.rule_id),
                     param(f.before_id), std::nullopt, param(static_cast<int64_t>(f.limit))});
  if (!rows.ok()) return rows.status();
  std::vector<StoredAlert> out = alerts_of(rows.value());
  if (Status s = attach_transitions(*db_.conn, out); !s.ok()) return s;
  return out;
}

Result<std::optional<StoredAlert>> PostgresAlertStore::find_alert(uint64_t id) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run(
      "list_alerts", kListAlerts,
      {std::nullopt, std::nullopt, std::nullopt, std::nullopt, param(id), param(int64_t{1})});
  if (!rows.ok()) return rows.status();
  std::vector<StoredAlert> out = alerts_of(rows.value());
  if (out.empty()) return std::optional<StoredAlert>();
  if (Status s = attach_transitions(*db_.conn, out); !s.ok()) return s;
  return std::optional<StoredAlert>(std::move(out.front()));
}

}  // namespace

std::unique_ptr<AlertStore> make_alert_store(Database& db) {
  return std::make_unique<PostgresAlertStore>(db);
}

}  // namespace gaia::store::postgres
