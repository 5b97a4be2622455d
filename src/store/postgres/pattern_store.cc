// PostgresStore's confirmation patterns (store/pattern_store.h).

#include "store/sql/pattern_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresPatternStore final : public PatternStore {
 public:
  explicit PostgresPatternStore(Database& db) : db_(db) {}

  Result<std::vector<StoredPattern>> list_patterns() override;
  Status put_pattern(const StoredPattern& pattern) override;
  Status delete_pattern(std::string_view id) override;
  Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) override;

 private:
  Database& db_;
};

Result<std::vector<StoredPattern>> PostgresPatternStore::list_patterns() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_confirm_patterns", detail::postgres_text<sql::kListPatterns>, {});
  if (!rows.ok()) return rows.status();
  std::vector<StoredPattern> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), rows->text(i, 1), rows->int64(i, 2)});
  }
  return out;
}

Status PostgresPatternStore::put_pattern(const StoredPattern& p) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("put_confirm_pattern", detail::postgres_text<sql::kPutPattern>,
                            {param(p.id), param(p.body), param(p.updated_at_ms)});
  return rows.ok() ? Status() : rows.status();
}

Status PostgresPatternStore::delete_pattern(std::string_view id) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("delete_confirm_pattern", detail::postgres_text<sql::kDeletePattern>,
                            {param(id)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no pattern " + std::string(id));
  return {};
}

Result<bool> PostgresPatternStore::seed_patterns(const std::vector<StoredPattern>& patterns) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<bool> {
    // Several servers may start at once: the primary key lets exactly one of them seed.
    const int64_t at_ms = patterns.empty() ? 0 : patterns.front().updated_at_ms;
    auto mark = db.run("seed_confirm_mark", detail::postgres_text<sql::kMarkPatternsSeeded>,
                       {param(at_ms)});
    if (!mark.ok()) return mark.status();
    if (mark->affected() == 0) return false;
    for (const StoredPattern& p : patterns) {
      auto rows = db.run("seed_confirm_pattern", detail::postgres_text<sql::kSeedPattern>,
                         {param(p.id), param(p.body), param(p.updated_at_ms)});
      if (!rows.ok()) return rows.status();
    }
    return true;
  });
}

}  // namespace

std::unique_ptr<PatternStore> make_pattern_store(Database& db) {
  return std::make_unique<PostgresPatternStore>(db);
}

}  // namespace gaia::store::postgres
