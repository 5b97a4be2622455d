// PostgresStore's confirmation decisions (store/decision_store.h).

#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresDecisionStore final : public DecisionStore {
 public:
  explicit PostgresDecisionStore(Database& db) : db_(db) {}

  void record_decision(ConfirmDecision decision) override;
  Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) override;

 private:
  Database& db_;
};

void PostgresDecisionStore::record_decision(ConfirmDecision decision) {
  db_.queue->push(std::move(decision));
}

Result<std::vector<ConfirmDecision>> PostgresDecisionStore::list_decisions(
    const DecisionFilter& f) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run(
      "list_confirm_decisions",
      "SELECT id, at_ms, user_name, key_id, command, cwd, session_id, tool, decision, source, "
      "pattern_id, reason, reviewer_latency_ms FROM confirm_decisions "
      "WHERE ($1::text IS NULL OR user_name = $1) AND ($2::text IS NULL OR decision = $2) "
      "AND ($3::text IS NULL OR source = $3) AND ($4::bigint IS NULL OR at_ms >= $4) "
      "AND ($5::bigint IS NULL OR at_ms < $5) AND ($6::bigint IS NULL OR id < $6) "
      "ORDER BY id DESC LIMIT $7",
      {text_or_null(f.user), text_or_null(f.decision), text_or_null(f.source), param(f.from_ms),
       param(f.to_ms), param(f.before_id), param(static_cast<int64_t>(f.limit))});
  if (!rows.ok()) return rows.status();
  std::vector<ConfirmDecision> out;
  for (int i = 0; i < rows->size(); ++i) {
    ConfirmDecision d;
    d.id = rows->uint64(i, 0);
    d.at_ms = rows->int64(i, 1);
    d.user = rows->text(i, 2);
    d.key_id = rows->uint64(i, 3);
    d.command = rows->text(i, 4);
    d.cwd = rows->text(i, 5);
    d.session_id = rows->text(i, 6);
    d.tool = rows->text(i, 7);
    d.decision = rows->text(i, 8);
    d.source = rows->text(i, 9);
    d.pattern_id = rows->text(i, 10);
    d.reason = rows->text(i, 11);
    d.reviewer_latency_ms = rows->optional_int(i, 12);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

std::unique_ptr<DecisionStore> make_decision_store(Database& db) {
  return std::make_unique<PostgresDecisionStore>(db);
}

}  // namespace gaia::store::postgres
