// SqliteStore's alert rules and alerts (store/alert_store.h).

#include "store/sql/alert_store.h"

#include <unordered_map>

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

constexpr const char* kAlertColumns =
    "SELECT id, rule_id, rule_name, metric, scope, severity, state, value, threshold, "
    "started_at_ms, updated_at_ms, ack_by, ack_at_ms, ack_note, silenced_until_ms FROM alerts ";

// Fills in the transitions of `alerts` with one query.
Status attach_transitions(Connection& db, std::vector<StoredAlert>& alerts) {
  if (alerts.empty()) return {};
  std::unordered_map<uint64_t, StoredAlert*> by_id;
  std::string ids;
  for (StoredAlert& a : alerts) {
    by_id[a.id] = &a;
    if (!ids.empty()) ids += ',';
    ids += std::to_string(a.id);
  }
  auto stmt = db.prepare(
      "SELECT alert_id, state, value, at_ms FROM alert_transitions "
      "WHERE alert_id IN (" +
      ids + ") ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.status();
    if (!row.value()) return {};
    auto it = by_id.find(stmt->uint64(0));
    if (it != by_id.end()) {
      it->second->transitions.push_back({stmt->text(1), stmt->real(2), stmt->int64(3)});
    }
  }
}

class SqliteAlertStore final : public AlertStore {
 public:
  explicit SqliteAlertStore(Database& db) : db_(db) {}

  Result<std::vector<StoredAlertRule>> list_alert_rules() override;
  Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) override;
  Status put_alert_rule(const StoredAlertRule& rule) override;
  Status delete_alert_rule(uint64_t id) override;
  Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) override;
  Result<std::vector<uint64_t>> save_alerts(const std::vector<AlertChange>& changes) override;
  Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) override;
  Result<std::optional<StoredAlert>> find_alert(uint64_t id) override;

 private:
  Database& db_;
};

Result<std::vector<StoredAlertRule>> SqliteAlertStore::list_alert_rules() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListAlertRules);
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<StoredAlertRule>([](const Statement& r) {
    return StoredAlertRule{r.uint64(0), r.text(1), r.int64(2)};
  });
}

Result<uint64_t> SqliteAlertStore::add_alert_rule(std::string_view body, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kInsertAlertRule);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, body).bind(2, now_ms).run(); !s.ok()) return s;
  return static_cast<uint64_t>(db_.conn->last_insert_id());
}

Status SqliteAlertStore::put_alert_rule(const StoredAlertRule& rule) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kPutAlertRule);
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->bind(1, static_cast<int64_t>(rule.id))
                 .bind(2, rule.body)
                 .bind(3, rule.updated_at_ms)
                 .run();
  if (!s.ok()) return s;
  if (db_.conn->changes() == 0)
    return Status::not_found("no alert rule " + std::to_string(rule.id));
  return {};
}

Status SqliteAlertStore::delete_alert_rule(uint64_t id) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kDeleteAlertRule);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(id)).run(); !s.ok()) return s;
  if (db_.conn->changes() == 0) return Status::not_found("no alert rule " + std::to_string(id));
  return {};
}

Result<bool> SqliteAlertStore::seed_alert_rules(const std::vector<std::string>& bodies,
                                                int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<bool> {
    auto mark = db.prepare(sql::kMarkAlertRulesSeeded);
    if (!mark.ok()) return mark.status();
    if (Status s = mark->bind(1, now_ms).run(); !s.ok()) return s;
    if (db.changes() == 0) return false;  // seeded before
    auto stmt = db.prepare(sql::kInsertAlertRule);
    if (!stmt.ok()) return stmt.status();
    for (const std::string& body : bodies) {
      if (Status s = stmt->bind(1, body).bind(2, now_ms).run(); !s.ok()) return s;
    }
    return true;
  });
}

Result<std::vector<uint64_t>> SqliteAlertStore::save_alerts(
    const std::vector<AlertChange>& changes) {
  if (changes.empty()) return std::vector<uint64_t>();
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<std::vector<uint64_t>> {
    // Each statement is prepared once for the whole batch; the one commit (one fsync) is
    // what a batch saves over a transaction per alert.
    auto insert = db.prepare(
        "INSERT INTO alerts (rule_id, rule_name, metric, scope, severity, state, value, "
        "threshold, started_at_ms, updated_at_ms, ack_by, ack_at_ms, ack_note, "
        "silenced_until_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14)");
    if (!insert.ok()) return insert.status();
    auto update = db.prepare(
        "UPDATE alerts SET state = ?2, value = ?3, updated_at_ms = ?4, ack_by = ?5, "
        "ack_at_ms = ?6, ack_note = ?7, silenced_until_ms = ?8 WHERE id = ?1");
    if (!update.ok()) return update.status();
    auto transition = db.prepare(
        "INSERT INTO alert_transitions (alert_id, state, value, at_ms) VALUES (?1, ?2, ?3, ?4)");
    if (!transition.ok()) return transition.status();
    auto add_transitions = [&](uint64_t id, const std::vector<AlertTransition>& ts) -> Status {
      for (const AlertTransition& t : ts) {
        Status s = transition->bind(1, static_cast<int64_t>(id))
                       .bind(2, t.state)
                       .bind_real(3, t.value)
                       .bind(4, t.at_ms)
                       .run();
        if (!s.ok()) return s;
      }
      return {};
    };
    std::vector<uint64_t> ids;
    ids.reserve(changes.size());
    for (const auto& [a, added] : changes) {
      if (a.id == 0) {
        Status s = insert->bind(1, static_cast<int64_t>(a.rule_id))
                       .bind(2, a.rule_name)
                       .bind(3, a.metric)
                       .bind(4, a.scope)
                       .bind(5, a.severity)
                       .bind(6, a.state)
                       .bind_real(7, a.value)
                       .bind_real(8, a.threshold)
                       .bind(9, a.started_at_ms)
                       .bind(10, a.updated_at_ms)
                       .bind(11, a.ack_by)
                       .bind(12, a.ack_at_ms)
                       .bind(13, a.ack_note)
                       .bind(14, a.silenced_until_ms)
                       .run();
        if (!s.ok()) return s;
        ids.push_back(static_cast<uint64_t>(db.last_insert_id()));
        if (Status t = add_transitions(ids.back(), a.transitions); !t.ok()) return t;
      } else {
        Status s = update->bind(1, static_cast<int64_t>(a.id))
                       .bind(2, a.state)
                       .bind_real(3, a.value)
                       .bind(4, a.updated_at_ms)
                       .bind(5, a.ack_by)
                       .bind(6, a.ack_at_ms)
                       .bind(7, a.ack_note)
                       .bind(8, a.silenced_until_ms)
                       .run();
        if (!s.ok()) return s;
        if (db.changes() == 0) return Status::not_found("no alert " + std::to_string(a.id));
        ids.push_back(a.id);
      }
      if (Status t = add_transitions(ids.back(), added); !t.ok()) return t;
    }
    return ids;
  });
}

Result<std::vector<StoredAlert>> SqliteAlertStore::list_alerts(const AlertFilter& f) {
  core::MutexLock lock(db_.mu);
  auto stmt =
      db_.conn->prepare(std::string(kAlertColumns) +
                        "WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR severity = ?2) "
                        "AND (?3 IS NULL OR rule_id = ?3) AND (?4 IS NULL OR id < ?4) "
                        "ORDER BY id DESC LIMIT ?5");
  if (!stmt.ok()) return stmt.status();
  stmt->bind_text_or_null(1, f.state);
  stmt->bind_text_or_null(2, f.severity);
  stmt->bind(3, f.rule_id).bind(4, f.before_id).bind(5, static_cast<int64_t>(f.limit));
  auto alerts = stmt->collect<StoredAlert>(sql::alert_of<Statement>);
  if (!alerts.ok()) return alerts.status();
  if (Status s = attach_transitions(*db_.conn, alerts.value()); !s.ok()) return s;
  return alerts;
}

Result<std::optional<StoredAlert>> SqliteAlertStore::find_alert(uint64_t id) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(std::string(kAlertColumns) + "WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, static_cast<int64_t>(id));
  auto alerts = stmt->collect<StoredAlert>(sql::alert_of<Statement>);
  if (!alerts.ok()) return alerts.status();
  if (alerts->empty()) return std::optional<StoredAlert>();
  if (Status s = attach_transitions(*db_.conn, alerts.value()); !s.ok()) return s;
  return std::optional<StoredAlert>(std::move(alerts->front()));
}

}  // namespace

std::unique_ptr<AlertStore> make_alert_store(Database& db) {
  return std::make_unique<SqliteAlertStore>(db);
}

}  // namespace gaia::store::sqlite
