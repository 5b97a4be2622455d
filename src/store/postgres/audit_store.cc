// PostgresStore's audit log (store/audit_store.h).

#include "store/sql/audit_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresAuditStore final : public AuditStore {
 public:
  explicit PostgresAuditStore(Database& db) : db_(db) {}

  Status append_audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) override;

 private:
  Database& db_;
};

Status PostgresAuditStore::append_audit(const AuditEntry& e) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("append_audit", detail::postgres_text<sql::kAppendAudit>,
                            {param(e.actor), param(e.action), param(e.target), param(e.before),
                             param(e.after), param(e.at_ms)});
  return rows.ok() ? Status() : rows.status();
}

Result<std::vector<AuditEntry>> PostgresAuditStore::audit_since(int64_t since_ms) {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("audit_since", detail::postgres_text<sql::kAuditSince>, {param(since_ms)});
  if (!rows.ok()) return rows.status();
  std::vector<AuditEntry> entries;
  for (int i = 0; i < rows->size(); ++i) {
    entries.push_back({rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3),
                       rows->text(i, 4), rows->int64(i, 5)});
  }
  return entries;
}

}  // namespace

std::unique_ptr<AuditStore> make_audit_store(Database& db) {
  return std::make_unique<PostgresAuditStore>(db);
}

}  // namespace gaia::store::postgres
