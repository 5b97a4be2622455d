// PostgresStore's alert rules and alerts (store/alert_store.h).

#include "store/sql/alert_store.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "store/detail/sql_text.h"
#include "store/postgres/array_param.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

constexpr const char* kListAlerts =
    "SELECT id, rule_id, rule_name, metric, scope, severity, state, value, threshold, "
    "started_at_ms, updated_at_ms, ack_by, ack_at_ms, ack_note, silenced_until_ms FROM alerts "
    "WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR severity = $2) "
    "AND ($3::bigint IS NULL OR rule_id = $3) AND ($4::bigint IS NULL OR id < $4) "
    "AND ($5::bigint IS NULL OR id = $5) ORDER BY id DESC LIMIT $6";

std::vector<StoredAlert> alerts_of(const Rows& rows) {
  return rows.collect<StoredAlert>(sql::alert_of<Row>);
}

// Fills in the transitions of `alerts` with one query.
Status attach_transitions(Connection& db, std::vector<StoredAlert>& alerts) {
  if (alerts.empty()) return {};
  std::unordered_map<uint64_t, StoredAlert*> by_id;
  ArrayParam ids(Element::kBigint);
  for (StoredAlert& a : alerts) {
    by_id[a.id] = &a;
    ids.add(static_cast<int64_t>(a.id));
  }
  auto rows = db.run("list_alert_transitions",
                     "SELECT alert_id, state, value, at_ms FROM alert_transitions "
                     "WHERE alert_id = ANY($1::bigint[]) ORDER BY id",
                     {ids.take()});
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
  Result<std::vector<uint64_t>> save_alerts(const std::vector<AlertChange>& changes) override;
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

// A batch is four statements whatever its size: the new rows' ids, the inserts, the updates
// and the transitions, each a column per array parameter (unnest), in binary.
Result<std::vector<uint64_t>> PostgresAlertStore::save_alerts(
    const std::vector<AlertChange>& changes) {
  if (changes.empty()) return std::vector<uint64_t>();
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<std::vector<uint64_t>> {
    std::vector<uint64_t> ids;
    ids.reserve(changes.size());
    const auto inserts = static_cast<int64_t>(std::count_if(
        changes.begin(), changes.end(), [](const AlertChange& c) { return c.alert.id == 0; }));
    std::vector<uint64_t> fresh;  // the new rows' ids, ascending: rows keep the batch's order
    if (inserts > 0) {
      auto rows = db.run("next_alert_ids",
                         "SELECT nextval(pg_get_serial_sequence('alerts', 'id')) "
                         "FROM generate_series(1, $1)",
                         {param(inserts)});
      if (!rows.ok()) return rows.status();
      for (int i = 0; i < rows->size(); ++i) fresh.push_back(rows->uint64(i, 0));
      std::sort(fresh.begin(), fresh.end());
    }
    ArrayParam id(Element::kBigint), rule_id(Element::kBigint), rule_name(Element::kText),
        metric(Element::kText), scope(Element::kText), severity(Element::kText),
        state(Element::kText), value(Element::kDouble), threshold(Element::kDouble),
        started(Element::kBigint), updated(Element::kBigint), ack_by(Element::kText),
        ack_at(Element::kBigint), ack_note(Element::kText), silenced(Element::kBigint);
    ArrayParam up_id(Element::kBigint), up_state(Element::kText), up_value(Element::kDouble),
        up_updated(Element::kBigint), up_ack_by(Element::kText), up_ack_at(Element::kBigint),
        up_ack_note(Element::kText), up_silenced(Element::kBigint);
    ArrayParam t_alert(Element::kBigint), t_state(Element::kText), t_value(Element::kDouble),
        t_at(Element::kBigint);
    size_t transitions = 0;
    auto add_transitions = [&](uint64_t alert_id, const std::vector<AlertTransition>& ts) {
      for (const AlertTransition& t : ts) {
        t_alert.add(static_cast<int64_t>(alert_id));
        t_state.add(t.state);
        t_value.add_real(t.value);
        t_at.add(t.at_ms);
        ++transitions;
      }
    };
    std::vector<uint64_t> updated_ids;
    size_t next_fresh = 0;
    for (const auto& [a, added] : changes) {
      if (a.id == 0) {
        ids.push_back(fresh[next_fresh++]);
        id.add(static_cast<int64_t>(ids.back()));
        rule_id.add(static_cast<int64_t>(a.rule_id));
        rule_name.add(a.rule_name);
        metric.add(a.metric);
        scope.add(a.scope);
        severity.add(a.severity);
        state.add(a.state);
        value.add_real(a.value);
        threshold.add_real(a.threshold);
        started.add(a.started_at_ms);
        updated.add(a.updated_at_ms);
        ack_by.add(a.ack_by);
        ack_at.add(a.ack_at_ms);
        ack_note.add(a.ack_note);
        silenced.add(a.silenced_until_ms);
        add_transitions(ids.back(), a.transitions);
      } else {
        ids.push_back(a.id);
        updated_ids.push_back(a.id);
        up_id.add(static_cast<int64_t>(a.id));
        up_state.add(a.state);
        up_value.add_real(a.value);
        up_updated.add(a.updated_at_ms);
        up_ack_by.add(a.ack_by);
        up_ack_at.add(a.ack_at_ms);
        up_ack_note.add(a.ack_note);
        up_silenced.add(a.silenced_until_ms);
      }
      add_transitions(ids.back(), added);
    }
    if (inserts > 0) {
      auto rows = db.run(
          "insert_alerts",
          "INSERT INTO alerts (id, rule_id, rule_name, metric, scope, severity, state, value, "
          "threshold, started_at_ms, updated_at_ms, ack_by, ack_at_ms, ack_note, "
          "silenced_until_ms) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
          "$4::text[], $5::text[], $6::text[], $7::text[], $8::double precision[], "
          "$9::double precision[], $10::bigint[], $11::bigint[], $12::text[], $13::bigint[], "
          "$14::text[], $15::bigint[])",
          {id.take(), rule_id.take(), rule_name.take(), metric.take(), scope.take(),
           severity.take(), state.take(), value.take(), threshold.take(), started.take(),
           updated.take(), ack_by.take(), ack_at.take(), ack_note.take(), silenced.take()});
      if (!rows.ok()) return rows.status();
    }
    if (!updated_ids.empty()) {
      auto rows = db.run(
          "update_alerts",
          "UPDATE alerts SET state = u.state, value = u.value, updated_at_ms = u.updated_at_ms, "
          "ack_by = u.ack_by, ack_at_ms = u.ack_at_ms, ack_note = u.ack_note, "
          "silenced_until_ms = u.silenced_until_ms FROM unnest($1::bigint[], $2::text[], "
          "$3::double precision[], $4::bigint[], $5::text[], $6::bigint[], $7::text[], "
          "$8::bigint[]) AS u(id, state, value, updated_at_ms, ack_by, ack_at_ms, ack_note, "
          "silenced_until_ms) WHERE alerts.id = u.id RETURNING alerts.id",
          {up_id.take(), up_state.take(), up_value.take(), up_updated.take(), up_ack_by.take(),
           up_ack_at.take(), up_ack_note.take(), up_silenced.take()});
      if (!rows.ok()) return rows.status();
      if (static_cast<size_t>(rows->size()) < updated_ids.size()) {
        std::vector<uint64_t> found;
        for (int i = 0; i < rows->size(); ++i) found.push_back(rows->uint64(i, 0));
        std::sort(found.begin(), found.end());
        for (uint64_t u : updated_ids) {
          if (!std::binary_search(found.begin(), found.end(), u)) {
            return Status::not_found("no alert " + std::to_string(u));
          }
        }
      }
    }
    if (transitions == 0) return ids;
    // In the batch's order, so each alert's transitions keep theirs (listed by id).
    auto rows =
        db.run("insert_alert_transitions",
               "INSERT INTO alert_transitions (alert_id, state, value, at_ms) "
               "SELECT a, s, v, t FROM unnest($1::bigint[], $2::text[], $3::double precision[], "
               "$4::bigint[]) WITH ORDINALITY AS u(a, s, v, t, n) ORDER BY n",
               {t_alert.take(), t_state.take(), t_value.take(), t_at.take()});
    if (!rows.ok()) return rows.status();
    return ids;
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
