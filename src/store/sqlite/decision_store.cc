// SqliteStore's confirmation decisions (store/decision_store.h).

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteDecisionStore final : public DecisionStore {
 public:
  explicit SqliteDecisionStore(Database& db) : db_(db) {}

  void record_decision(ConfirmDecision decision) override;
  Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) override;

 private:
  Database& db_;
};

void SqliteDecisionStore::record_decision(ConfirmDecision decision) {
  db_.queue->push(std::move(decision));
}

Result<std::vector<ConfirmDecision>> SqliteDecisionStore::list_decisions(const DecisionFilter& f) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(
      "SELECT id, at_ms, user_name, key_id, command, cwd, session_id, tool, decision, source, "
      "pattern_id, reason, reviewer_latency_ms FROM confirm_decisions "
      "WHERE (?1 IS NULL OR user_name = ?1) AND (?2 IS NULL OR decision = ?2) "
      "AND (?3 IS NULL OR source = ?3) AND (?4 IS NULL OR at_ms >= ?4) "
      "AND (?5 IS NULL OR at_ms < ?5) AND (?6 IS NULL OR id < ?6) "
      "ORDER BY id DESC LIMIT ?7");
  if (!stmt.ok()) return stmt.status();
  stmt->bind_text_or_null(1, f.user);
  stmt->bind_text_or_null(2, f.decision);
  stmt->bind_text_or_null(3, f.source);
  stmt->bind(4, f.from_ms).bind(5, f.to_ms).bind(6, f.before_id);
  stmt->bind(7, static_cast<int64_t>(f.limit));
  return stmt->collect<ConfirmDecision>([](const Statement& r) {
    ConfirmDecision d;
    d.id = r.uint64(0);
    d.at_ms = r.int64(1);
    d.user = r.text(2);
    d.key_id = r.uint64(3);
    d.command = r.text(4);
    d.cwd = r.text(5);
    d.session_id = r.text(6);
    d.tool = r.text(7);
    d.decision = r.text(8);
    d.source = r.text(9);
    d.pattern_id = r.text(10);
    d.reason = r.text(11);
    d.reviewer_latency_ms = r.optional_int(12);
    return d;
  });
}

}  // namespace

std::unique_ptr<DecisionStore> make_decision_store(Database& db) {
  return std::make_unique<SqliteDecisionStore>(db);
}

}  // namespace gaia::store::sqlite
