// PostgresStore's executions (store/execution_store.h).

#include "store/sql/execution_store.h"

#include <tuple>
#include <utility>

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresExecutionStore final : public ExecutionStore {
 public:
  explicit PostgresExecutionStore(Database& db) : db_(db) {}

  void record_execution(Execution execution, RecordDone done) override;
  Result<std::optional<Execution>> find_execution(uint64_t user_id, std::string_view id) override;
  Result<uint64_t> count_executions() override;
  Result<uint64_t> delete_executions_before(int64_t before_ms) override;
  Status scan_executions(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const Execution&)>& fn) override;

 private:
  Database& db_;
};

void PostgresExecutionStore::record_execution(Execution execution, RecordDone done) {
  db_.queue->push(std::move(execution), std::move(done));
}

Result<std::optional<Execution>> PostgresExecutionStore::find_execution(uint64_t user_id,
                                                                        std::string_view id) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("find_execution", detail::postgres_text<sql::kFindExecution>,
                            {param(static_cast<int64_t>(user_id)), param(id)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<Execution>();
  return std::optional<Execution>(sql::execution_of(rows->row(0)));
}

Result<uint64_t> PostgresExecutionStore::count_executions() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("count_executions", detail::postgres_text<sql::kCountExecutions>, {});
  if (!rows.ok()) return rows.status();
  return rows->uint64(0, 0);
}

Result<uint64_t> PostgresExecutionStore::delete_executions_before(int64_t before_ms) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("delete_executions_before", detail::postgres_text<sql::kDeleteExecutionsBefore>,
                    {param(before_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

Status PostgresExecutionStore::scan_executions(int64_t from_ms, int64_t to_ms,
                                               const std::function<void(const Execution&)>& fn) {
  constexpr int64_t kPage = 10'000;
  // Keyset pagination on (started_at_ms, user_id, id), which is unique: the lock is held for
  // one page at a time.
  std::optional<std::tuple<int64_t, int64_t, std::string>> after;
  for (;;) {
    std::vector<Execution> page;
    {
      core::MutexLock lock(db_.mu);
      auto rows = db_.conn->run(
          "scan_executions",
          "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, cpu_ms, "
          "peak_memory_bytes, exit_code, signal FROM executions "
          "WHERE started_at_ms >= $1 AND started_at_ms < $2 AND ($3::bigint IS NULL OR "
          "(started_at_ms, user_id, id) > ($3::bigint, $4::bigint, $5::text)) "
          "ORDER BY started_at_ms, user_id, id LIMIT $6",
          {param(from_ms), param(to_ms), after ? param(std::get<0>(*after)) : std::nullopt,
           after ? param(std::get<1>(*after)) : std::nullopt,
           after ? param(std::get<2>(*after)) : std::nullopt, param(kPage)});
      if (!rows.ok()) return rows.status();
      page.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) page.push_back(sql::execution_of(rows->row(i)));
    }
    for (const Execution& e : page) fn(e);
    if (static_cast<int64_t>(page.size()) < kPage) return {};
    after.emplace(page.back().started_at_ms, static_cast<int64_t>(page.back().user_id),
                  page.back().id);
  }
}

}  // namespace

std::unique_ptr<ExecutionStore> make_execution_store(Database& db) {
  return std::make_unique<PostgresExecutionStore>(db);
}

}  // namespace gaia::store::postgres
