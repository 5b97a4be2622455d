// SqliteStore's reputation state (store/reputation_store.h).

#include "store/sql/reputation_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteReputationStore final : public ReputationStore {
 public:
  explicit SqliteReputationStore(Database& db) : db_(db) {}

  Result<std::vector<ReputationState>> list_reputations() override;
  Status put_reputations(const std::vector<ReputationState>& states) override;

 private:
  Database& db_;
};

Result<std::vector<ReputationState>> SqliteReputationStore::list_reputations() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListReputations);
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<ReputationState>([](const Statement& r) {
    return ReputationState{r.text(0), r.real(1), r.int64(2), r.text(3)};
  });
}

Status SqliteReputationStore::put_reputations(const std::vector<ReputationState>& states) {
  if (states.empty()) return {};
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    auto stmt = db.prepare(
        "INSERT INTO reputation (user_name, score, updated_at_ms, events) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (user_name) DO UPDATE SET score = excluded.score, "
        "updated_at_ms = excluded.updated_at_ms, events = excluded.events");
    if (!stmt.ok()) return stmt.status();
    for (const ReputationState& r : states) {
      Status s = stmt->bind(1, r.user)
                     .bind_real(2, r.score)
                     .bind(3, r.updated_at_ms)
                     .bind(4, r.events)
                     .run();
      if (!s.ok()) return s;
    }
    return true;
  });
  return done.ok() ? Status() : done.status();
}

}  // namespace

std::unique_ptr<ReputationStore> make_reputation_store(Database& db) {
  return std::make_unique<SqliteReputationStore>(db);
}

}  // namespace gaia::store::sqlite
