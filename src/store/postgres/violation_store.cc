// PostgresStore's violations (store/violation_store.h).

#include "store/sql/violation_store.h"

#include "store/detail/sql_text.h"
#include "store/detail/violation_listing.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresViolationStore final : public ViolationStore {
 public:
  explicit PostgresViolationStore(Database& db) : db_(db) {}

  void record_violation(Violation violation) override;
  Result<std::vector<Violation>> violations_since(int64_t since_ms) override;
  Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) override;
  Status scan_violations(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const ViolationRecord&)>& fn) override;
  Result<uint64_t> delete_violations_before(int64_t before_ms) override;

 private:
  Database& db_;
};

void PostgresViolationStore::record_violation(Violation violation) {
  db_.queue->push(std::move(violation));
}

Result<std::vector<Violation>> PostgresViolationStore::violations_since(int64_t since_ms) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("violations_since", detail::postgres_text<sql::kViolationsSince>,
                            {param(since_ms)});
  if (!rows.ok()) return rows.status();
  std::vector<Violation> violations;
  for (int i = 0; i < rows->size(); ++i) violations.push_back(sql::violation_of(rows->row(i), 0));
  return violations;
}

Result<std::vector<ViolationRecord>> PostgresViolationStore::list_violations(
    const ViolationFilter& f) {
  core::MutexLock lock(db_.mu);
  const detail::ViolationListing query = detail::violation_listing(f, '$');
  std::vector<Param> params;
  detail::for_each_violation_parameter(f, [&](const auto& v) { params.push_back(param(v)); });
  const std::string name = "list_violations_" + std::to_string(query.shape);
  auto rows = db_.conn->run(name.c_str(), query.sql.c_str(), params);
  if (!rows.ok()) return rows.status();
  std::vector<ViolationRecord> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(sql::violation_record_of(rows->row(i)));
  return out;
}

Status PostgresViolationStore::scan_violations(
    int64_t from_ms, int64_t to_ms, const std::function<void(const ViolationRecord&)>& fn) {
  int64_t after_at_ms = from_ms;
  int64_t after_id = 0;
  for (;;) {
    std::vector<ViolationRecord> page;
    {
      // The lock is held for one page at a time.
      core::MutexLock lock(db_.mu);
      auto rows = db_.conn->run("scan_violations", detail::postgres_text<sql::kScanViolations>,
                                {param(from_ms), param(to_ms), param(after_at_ms), param(after_id),
                                 param(sql::kScanViolationsPage)});
      if (!rows.ok()) return rows.status();
      page.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) page.push_back(sql::violation_record_of(rows->row(i)));
    }
    for (const ViolationRecord& v : page) fn(v);
    if (static_cast<int64_t>(page.size()) < sql::kScanViolationsPage) return {};
    after_at_ms = page.back().violation.at_ms;
    after_id = static_cast<int64_t>(page.back().id);
  }
}

Result<uint64_t> PostgresViolationStore::delete_violations_before(int64_t before_ms) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("delete_violations_before", detail::postgres_text<sql::kDeleteViolationsBefore>,
                    {param(before_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

}  // namespace

std::unique_ptr<ViolationStore> make_violation_store(Database& db) {
  return std::make_unique<PostgresViolationStore>(db);
}

}  // namespace gaia::store::postgres
