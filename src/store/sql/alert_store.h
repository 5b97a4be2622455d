#pragma once
// What the SQL dialects share for the alert rules and alerts: statements written once with
// numbered parameters (?1, ...), which sqlite/alert_store.cc runs as they are and
// postgres/alert_store.cc as detail::postgres_text<...> ($1, ...), and row mapping over a row of
// either (sqlite::Statement, postgres::Row). Statements whose text differs stay in the backend
// files.

#include "store/alert_store.h"

namespace gaia::store::sql {

inline constexpr char kListAlertRules[] =
    "SELECT id, body, updated_at_ms FROM alert_rules ORDER BY id";
inline constexpr char kInsertAlertRule[] =
    "INSERT INTO alert_rules (body, updated_at_ms) VALUES (?1, ?2)";
inline constexpr char kPutAlertRule[] =
    "UPDATE alert_rules SET body = ?2, updated_at_ms = ?3 WHERE id = ?1";
inline constexpr char kDeleteAlertRule[] = "DELETE FROM alert_rules WHERE id = ?1";
inline constexpr char kMarkAlertRulesSeeded[] =
    "INSERT INTO alert_rules_seeded (one, at_ms) VALUES (1, ?1) ON CONFLICT (one) DO NOTHING";

// An alerts row without its transitions, its columns in the order the backends select them.
template <class Row>
StoredAlert alert_of(const Row& r) {
  StoredAlert a;
  a.id = r.uint64(0);
  a.rule_id = r.uint64(1);
  a.rule_name = r.text(2);
  a.metric = r.text(3);
  a.scope = r.text(4);
  a.severity = r.text(5);
  a.state = r.text(6);
  a.value = r.real(7);
  a.threshold = r.real(8);
  a.started_at_ms = r.int64(9);
  a.updated_at_ms = r.int64(10);
  a.ack_by = r.text(11);
  a.ack_at_ms = r.optional_int(12);
  a.ack_note = r.text(13);
  a.silenced_until_ms = r.optional_int(14);
  return a;
}

}  // namespace gaia::store::sql
