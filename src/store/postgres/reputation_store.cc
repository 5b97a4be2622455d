// PostgresStore's reputation state (store/reputation_store.h).

#include "store/sql/reputation_store.h"

#include <cstdio>
#include <cstdlib>

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresReputationStore final : public ReputationStore {
 public:
  explicit PostgresReputationStore(Database& db) : db_(db) {}

  Result<std::vector<ReputationState>> list_reputations() override;
  Status put_reputations(const std::vector<ReputationState>& states) override;

 private:
  Database& db_;
};

Result<std::vector<ReputationState>> PostgresReputationStore::list_reputations() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_reputations", detail::postgres_text<sql::kListReputations>, {});
  if (!rows.ok()) return rows.status();
  std::vector<ReputationState> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), std::strtod(rows->text(i, 1).c_str(), nullptr),
                   rows->int64(i, 2), rows->text(i, 3)});
  }
  return out;
}

Status PostgresReputationStore::put_reputations(const std::vector<ReputationState>& states) {
  if (states.empty()) return {};
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    for (const ReputationState& r : states) {
      char score[32];
      std::snprintf(score, sizeof score, "%.17g", r.score);
      auto rows = db.run("put_reputation",
                         "INSERT INTO reputation (user_name, score, updated_at_ms, events) "
                         "VALUES ($1, $2::double precision, $3, $4) ON CONFLICT (user_name) DO "
                         "UPDATE SET score = excluded.score, updated_at_ms = "
                         "excluded.updated_at_ms, events = excluded.events",
                         {param(r.user), Param(score), param(r.updated_at_ms), param(r.events)});
      if (!rows.ok()) return rows.status();
    }
    return true;
  });
  return done.ok() ? Status() : done.status();
}

}  // namespace

std::unique_ptr<ReputationStore> make_reputation_store(Database& db) {
  return std::make_unique<PostgresReputationStore>(db);
}

}  // namespace gaia::store::postgres
