// SqliteStore's executions (store/execution_store.h).

#include "store/sql/execution_store.h"

#include <tuple>
#include <utility>

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

constexpr std::string_view kExecutionColumns =
    "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, cpu_ms, "
    "peak_memory_bytes, exit_code, signal FROM executions ";

class SqliteExecutionStore final : public ExecutionStore {
 public:
  explicit SqliteExecutionStore(Database& db) : db_(db) {}

  void record_execution(Execution execution, RecordDone done) override;
  Result<std::optional<Execution>> find_execution(uint64_t user_id, std::string_view id) override;
  Result<uint64_t> count_executions() override;
  Result<uint64_t> delete_executions_before(int64_t before_ms) override;
  Status scan_executions(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const Execution&)>& fn) override;

 private:
  Database& db_;
};

void SqliteExecutionStore::record_execution(Execution execution, RecordDone done) {
  db_.queue->push(std::move(execution), std::move(done));
}

Result<std::optional<Execution>> SqliteExecutionStore::find_execution(uint64_t user_id,
                                                                      std::string_view id) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kFindExecution);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->bind(1, static_cast<int64_t>(user_id)).bind(2, id).step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<Execution>();
  return std::optional<Execution>(sql::execution_of(stmt.value()));
}

Result<uint64_t> SqliteExecutionStore::count_executions() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kCountExecutions);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->step();
  if (!row.ok()) return row.status();
  return static_cast<uint64_t>(stmt->int64(0));
}

Result<uint64_t> SqliteExecutionStore::delete_executions_before(int64_t before_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kDeleteExecutionsBefore);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, before_ms).run(); !s.ok()) return s;
  return static_cast<uint64_t>(db_.conn->changes());
}

Status SqliteExecutionStore::scan_executions(int64_t from_ms, int64_t to_ms,
                                             const std::function<void(const Execution&)>& fn) {
  constexpr int64_t kPage = 10'000;
  // Keyset pagination on (started_at_ms, user_id, id), which is unique: the lock is held for
  // one page at a time.
  std::optional<std::tuple<int64_t, int64_t, std::string>> after;
  for (;;) {
    std::vector<Execution> page;
    {
      core::MutexLock lock(db_.mu);
      auto stmt =
          db_.conn->prepare(std::string(kExecutionColumns) +
                            "WHERE started_at_ms >= ?1 AND started_at_ms < ?2 AND (?3 IS NULL OR "
                            "(started_at_ms, user_id, id) > (?3, ?4, ?5)) "
                            "ORDER BY started_at_ms, user_id, id LIMIT ?6");
      if (!stmt.ok()) return stmt.status();
      stmt->bind(1, from_ms).bind(2, to_ms);
      if (after) {
        stmt->bind(3, std::get<0>(*after))
            .bind(4, std::get<1>(*after))
            .bind(5, std::get<2>(*after));
      } else {
        stmt->bind_null(3).bind_null(4).bind_null(5);
      }
      stmt->bind(6, kPage);
      auto rows = stmt->collect<Execution>(sql::execution_of<Statement>);
      if (!rows.ok()) return rows.status();
      page = std::move(rows.value());
    }
    for (const Execution& e : page) fn(e);
    if (static_cast<int64_t>(page.size()) < kPage) return {};
    after.emplace(page.back().started_at_ms, static_cast<int64_t>(page.back().user_id),
                  page.back().id);
  }
}

}  // namespace

std::unique_ptr<ExecutionStore> make_execution_store(Database& db) {
  return std::make_unique<SqliteExecutionStore>(db);
}

}  // namespace gaia::store::sqlite
