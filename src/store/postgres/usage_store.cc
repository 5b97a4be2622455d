// PostgresStore's quota usage (store/usage_store.h).

#include "store/sql/usage_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresUsageStore final : public UsageStore {
 public:
  explicit PostgresUsageStore(Database& db) : db_(db) {}

  void add_usage(Usage delta) override;
  Result<std::vector<Usage>> usage_since(int64_t day_start_ms) override;
  Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) override;

 private:
  Database& db_;
};

void PostgresUsageStore::add_usage(Usage delta) { db_.queue->push(std::move(delta)); }

Result<std::vector<Usage>> PostgresUsageStore::usage_since(int64_t day_start_ms) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("usage_since", detail::postgres_text<sql::kUsageSince>, {param(day_start_ms)});
  if (!rows.ok()) return rows.status();
  std::vector<Usage> usage;
  for (int i = 0; i < rows->size(); ++i) {
    usage.push_back({rows->uint64(i, 0), rows->uint64(i, 1), rows->text(i, 2), rows->int64(i, 3),
                     rows->uint64(i, 4)});
  }
  return usage;
}

Result<uint64_t> PostgresUsageStore::delete_usage(uint64_t user_id, int64_t since_day_start_ms) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("delete_usage", detail::postgres_text<sql::kDeleteUsage>,
                            {param(user_id), param(since_day_start_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

}  // namespace

std::unique_ptr<UsageStore> make_usage_store(Database& db) {
  return std::make_unique<PostgresUsageStore>(db);
}

}  // namespace gaia::store::postgres
