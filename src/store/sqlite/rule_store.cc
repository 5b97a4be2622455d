// SqliteStore's quota rules (store/rule_store.h).

#include "store/sql/rule_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteRuleStore final : public RuleStore {
 public:
  explicit SqliteRuleStore(Database& db) : db_(db) {}

  Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                          int64_t now_ms) override;
  Result<std::vector<StoredRule>> list_rules() override;
  Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) override;
  Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                              const std::vector<std::string>& bodies,
                                              int64_t now_ms) override;
  Result<std::vector<StoredCommandType>> list_command_types() override;
  Result<PutCommandType> put_command_type(std::string_view name, std::string_view description,
                                          const std::vector<std::string>& bodies,
                                          int64_t now_ms) override;
  Status retire_command_type(std::string_view name, const std::vector<uint64_t>& remove,
                             int64_t now_ms) override;

 private:
  // Deletes the rules `remove` in the transaction the caller holds; kNotFound when one of them
  // does not exist.
  static Status delete_rules(Connection& db, const std::vector<uint64_t>& remove);
  // Adds `bodies` (ids in order) in the transaction the caller holds.
  static Result<std::vector<uint64_t>> insert_rules(Connection& db,
                                                    const std::vector<std::string>& bodies,
                                                    int64_t now_ms);

  Database& db_;
};

Status SqliteRuleStore::delete_rules(Connection& db, const std::vector<uint64_t>& remove) {
  auto del = db.prepare(sql::kDeleteRule);
  if (!del.ok()) return del.status();
  for (uint64_t id : remove) {
    if (Status s = del->bind(1, static_cast<int64_t>(id)).run(); !s.ok()) return s;
    if (db.changes() == 0) return Status::not_found("no rule with id " + std::to_string(id));
  }
  return Status();
}

Result<std::vector<uint64_t>> SqliteRuleStore::insert_rules(Connection& db,
                                                            const std::vector<std::string>& bodies,
                                                            int64_t now_ms) {
  auto add = db.prepare("INSERT INTO quota_rules (name, body, updated_at_ms) VALUES ('', ?1, ?2)");
  if (!add.ok()) return add.status();
  std::vector<uint64_t> ids;
  for (const std::string& body : bodies) {
    if (Status s = add->bind(1, body).bind(2, now_ms).run(); !s.ok()) return s;
    ids.push_back(static_cast<uint64_t>(db.last_insert_id()));
  }
  return ids;
}

Result<std::vector<uint64_t>> SqliteRuleStore::add_rules(const std::vector<std::string>& bodies,
                                                         int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(
      db, [&]() -> Result<std::vector<uint64_t>> { return insert_rules(db, bodies, now_ms); });
}

Result<std::vector<StoredRule>> SqliteRuleStore::list_rules() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListRules);
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<StoredRule>([](const Statement& r) {
    return StoredRule{r.uint64(0), r.text(1), r.int64(2)};
  });
}

Status SqliteRuleStore::update_rule(uint64_t id, std::string_view body, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kUpdateRule);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(id)).bind(2, body).bind(3, now_ms).run();
      !s.ok()) {
    return s;
  }
  if (db_.conn->changes() == 0) return Status::not_found("no rule with id " + std::to_string(id));
  return {};
}

Result<std::vector<uint64_t>> SqliteRuleStore::replace_rules(const std::vector<uint64_t>& remove,
                                                             const std::vector<std::string>& bodies,
                                                             int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<std::vector<uint64_t>> {
    if (Status s = delete_rules(db, remove); !s.ok()) return s;
    return insert_rules(db, bodies, now_ms);
  });
}

Result<std::vector<StoredCommandType>> SqliteRuleStore::list_command_types() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListCommandTypes);
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<StoredCommandType>([](const Statement& r) {
    return StoredCommandType{r.uint64(0), r.text(1), r.text(2), r.int64(3) != 0, r.int64(4)};
  });
}

Result<PutCommandType> SqliteRuleStore::put_command_type(std::string_view name,
                                                         std::string_view description,
                                                         const std::vector<std::string>& bodies,
                                                         int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<PutCommandType> {
    auto stmt = db.prepare(sql::kPutCommandType);
    if (!stmt.ok()) return stmt.status();
    auto ids = stmt->bind(1, name)
                   .bind(2, description)
                   .bind(3, now_ms)
                   .collect<uint64_t>([](const Statement& r) { return r.uint64(0); });
    if (!ids.ok()) return ids.status();
    if (ids->size() != 1) return Status::internal("command type " + std::string(name) + ": no id");
    auto rule_ids = insert_rules(db, bodies, now_ms);
    if (!rule_ids.ok()) return rule_ids.status();
    return PutCommandType{ids->front(), std::move(rule_ids.value())};
  });
}

Status SqliteRuleStore::retire_command_type(std::string_view name,
                                            const std::vector<uint64_t>& remove, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Status {
    if (Status s = delete_rules(db, remove); !s.ok()) return s;
    auto stmt = db.prepare(sql::kRetireCommandType);
    if (!stmt.ok()) return stmt.status();
    if (Status s = stmt->bind(1, name).bind(2, now_ms).run(); !s.ok()) return s;
    if (db.changes() == 0) {
      return Status::not_found("no command type named \"" + std::string(name) + "\"");
    }
    return Status();
  });
}

}  // namespace

std::unique_ptr<RuleStore> make_rule_store(Database& db) {
  return std::make_unique<SqliteRuleStore>(db);
}

}  // namespace gaia::store::sqlite
