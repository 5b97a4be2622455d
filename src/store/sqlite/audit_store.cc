// SqliteStore's audit log (store/audit_store.h).

#include "store/sql/audit_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(Database& db) : db_(db) {}

  Status append_audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) override;

 private:
  Database& db_;
};

Status SqliteAuditStore::append_audit(const AuditEntry& e) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kAppendAudit);
  if (!stmt.ok()) return stmt.status();
  return stmt->bind(1, e.actor)
      .bind(2, e.action)
      .bind(3, e.target)
      .bind(4, e.before)
      .bind(5, e.after)
      .bind(6, e.at_ms)
      .run();
}

Result<std::vector<AuditEntry>> SqliteAuditStore::audit_since(int64_t since_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kAuditSince);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, since_ms);
  return stmt->collect<AuditEntry>([](const Statement& r) {
    return AuditEntry{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.int64(5)};
  });
}

}  // namespace

std::unique_ptr<AuditStore> make_audit_store(Database& db) {
  return std::make_unique<SqliteAuditStore>(db);
}

}  // namespace gaia::store::sqlite
