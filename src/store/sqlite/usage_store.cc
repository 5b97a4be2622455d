// SqliteStore's quota usage (store/usage_store.h).

#include "store/sql/usage_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteUsageStore final : public UsageStore {
 public:
  explicit SqliteUsageStore(Database& db) : db_(db) {}

  void add_usage(Usage delta) override;
  Result<std::vector<Usage>> usage_since(int64_t day_start_ms) override;
  Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) override;

 private:
  Database& db_;
};

void SqliteUsageStore::add_usage(Usage delta) { db_.queue->push(std::move(delta)); }

Result<std::vector<Usage>> SqliteUsageStore::usage_since(int64_t day_start_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kUsageSince);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, day_start_ms);
  return stmt->collect<Usage>([](const Statement& r) {
    return Usage{r.uint64(0), r.uint64(1), r.text(2), r.int64(3), r.uint64(4)};
  });
}

Result<uint64_t> SqliteUsageStore::delete_usage(uint64_t user_id, int64_t since_day_start_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kDeleteUsage);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(user_id)).bind(2, since_day_start_ms).run();
      !s.ok()) {
    return s;
  }
  return static_cast<uint64_t>(db_.conn->changes());
}

}  // namespace

std::unique_ptr<UsageStore> make_usage_store(Database& db) {
  return std::make_unique<SqliteUsageStore>(db);
}

}  // namespace gaia::store::sqlite
