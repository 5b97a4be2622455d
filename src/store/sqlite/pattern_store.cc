// SqliteStore's confirmation patterns (store/pattern_store.h).

#include "store/sql/pattern_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqlitePatternStore final : public PatternStore {
 public:
  explicit SqlitePatternStore(Database& db) : db_(db) {}

  Result<std::vector<StoredPattern>> list_patterns() override;
  Status put_pattern(const StoredPattern& pattern) override;
  Status delete_pattern(std::string_view id) override;
  Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) override;

 private:
  Database& db_;
};

Result<std::vector<StoredPattern>> SqlitePatternStore::list_patterns() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListPatterns);
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<StoredPattern>([](const Statement& r) {
    return StoredPattern{r.text(0), r.text(1), r.int64(2)};
  });
}

Status SqlitePatternStore::put_pattern(const StoredPattern& p) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kPutPattern);
  if (!stmt.ok()) return stmt.status();
  return stmt->bind(1, p.id).bind(2, p.body).bind(3, p.updated_at_ms).run();
}

Status SqlitePatternStore::delete_pattern(std::string_view id) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kDeletePattern);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, id).run(); !s.ok()) return s;
  if (db_.conn->changes() == 0) return Status::not_found("no pattern " + std::string(id));
  return {};
}

Result<bool> SqlitePatternStore::seed_patterns(const std::vector<StoredPattern>& patterns) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<bool> {
    auto mark = db.prepare(sql::kMarkPatternsSeeded);
    if (!mark.ok()) return mark.status();
    const int64_t at_ms = patterns.empty() ? 0 : patterns.front().updated_at_ms;
    if (Status s = mark->bind(1, at_ms).run(); !s.ok()) return s;
    if (db.changes() == 0) return false;  // seeded before
    auto stmt = db.prepare(sql::kSeedPattern);
    if (!stmt.ok()) return stmt.status();
    for (const StoredPattern& p : patterns) {
      if (Status s = stmt->bind(1, p.id).bind(2, p.body).bind(3, p.updated_at_ms).run(); !s.ok()) {
        return s;
      }
    }
    return true;
  });
}

}  // namespace

std::unique_ptr<PatternStore> make_pattern_store(Database& db) {
  return std::make_unique<SqlitePatternStore>(db);
}

}  // namespace gaia::store::sqlite
