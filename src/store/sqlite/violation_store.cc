// SqliteStore's violations (store/violation_store.h).

#include "store/sql/violation_store.h"

#include "store/detail/violation_listing.h"
#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteViolationStore final : public ViolationStore {
 public:
  explicit SqliteViolationStore(Database& db) : db_(db) {}

  void record_violation(Violation violation) override;
  Result<std::vector<Violation>> violations_since(int64_t since_ms) override;
  Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) override;
  Status scan_violations(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const ViolationRecord&)>& fn) override;
  Result<uint64_t> delete_violations_before(int64_t before_ms) override;

 private:
  Database& db_;
};

void SqliteViolationStore::record_violation(Violation violation) {
  db_.queue->push(std::move(violation));
}

Result<std::vector<Violation>> SqliteViolationStore::violations_since(int64_t since_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kViolationsSince);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, since_ms);
  return stmt->collect<Violation>([](const Statement& r) { return sql::violation_of(r, 0); });
}

Result<std::vector<ViolationRecord>> SqliteViolationStore::list_violations(
    const ViolationFilter& f) {
  core::MutexLock lock(db_.mu);
  const detail::ViolationListing query = detail::violation_listing(f, '?');
  auto stmt = db_.conn->prepare(query.sql);
  if (!stmt.ok()) return stmt.status();
  int i = 0;
  detail::for_each_violation_parameter(f, [&](const auto& v) { stmt->bind(++i, v); });
  return stmt->collect<ViolationRecord>(sql::violation_record_of<Statement>);
}

Status SqliteViolationStore::scan_violations(
    int64_t from_ms, int64_t to_ms, const std::function<void(const ViolationRecord&)>& fn) {
  int64_t after_at_ms = from_ms;
  int64_t after_id = 0;
  for (;;) {
    std::vector<ViolationRecord> page;
    {
      // The lock is held for one page at a time.
      core::MutexLock lock(db_.mu);
      auto stmt = db_.conn->prepare(sql::kScanViolations);
      if (!stmt.ok()) return stmt.status();
      stmt->bind(1, from_ms).bind(2, to_ms).bind(3, after_at_ms).bind(4, after_id);
      stmt->bind(5, sql::kScanViolationsPage);
      auto rows = stmt->collect<ViolationRecord>(sql::violation_record_of<Statement>);
      if (!rows.ok()) return rows.status();
      page = std::move(rows.value());
    }
    for (const ViolationRecord& v : page) fn(v);
    if (static_cast<int64_t>(page.size()) < sql::kScanViolationsPage) return {};
    after_at_ms = page.back().violation.at_ms;
    after_id = static_cast<int64_t>(page.back().id);
  }
}

Result<uint64_t> SqliteViolationStore::delete_violations_before(int64_t before_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kDeleteViolationsBefore);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, before_ms).run(); !s.ok()) return s;
  return static_cast<uint64_t>(db_.conn->changes());
}

}  // namespace

std::unique_ptr<ViolationStore> make_violation_store(Database& db) {
  return std::make_unique<SqliteViolationStore>(db);
}

}  // namespace gaia::store::sqlite
