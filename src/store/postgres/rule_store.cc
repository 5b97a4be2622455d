// PostgresStore's quota rules (store/rule_store.h).

#include "store/sql/rule_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresRuleStore final : public RuleStore {
 public:
  explicit PostgresRuleStore(Database& db) : db_(db) {}

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

Status PostgresRuleStore::delete_rules(Connection& db, const std::vector<uint64_t>& remove) {
  for (uint64_t id : remove) {
    auto rows = db.run("delete_rule", detail::postgres_text<sql::kDeleteRule>, {param(id)});
    if (!rows.ok()) return rows.status();
    if (rows->affected() == 0) return Status::not_found("no rule with id " + std::to_string(id));
  }
  return Status();
}

Result<std::vector<uint64_t>> PostgresRuleStore::insert_rules(
    Connection& db, const std::vector<std::string>& bodies, int64_t now_ms) {
  std::vector<uint64_t> ids;
  for (const std::string& body : bodies) {
    auto rows = db.run("add_rule",
                       "INSERT INTO quota_rules (name, body, updated_at_ms) "
                       "VALUES ('', $1, $2) RETURNING id",
                       {param(body), param(now_ms)});
    if (!rows.ok()) return rows.status();
    ids.push_back(rows->uint64(0, 0));
  }
  return ids;
}

Result<std::vector<uint64_t>> PostgresRuleStore::add_rules(const std::vector<std::string>& bodies,
                                                           int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(
      db, [&]() -> Result<std::vector<uint64_t>> { return insert_rules(db, bodies, now_ms); });
}

Result<std::vector<StoredRule>> PostgresRuleStore::list_rules() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_rules", detail::postgres_text<sql::kListRules>, {});
  if (!rows.ok()) return rows.status();
  std::vector<StoredRule> rules;
  for (int i = 0; i < rows->size(); ++i) {
    rules.push_back({rows->uint64(i, 0), rows->text(i, 1), rows->int64(i, 2)});
  }
  return rules;
}

Status PostgresRuleStore::update_rule(uint64_t id, std::string_view body, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("update_rule", detail::postgres_text<sql::kUpdateRule>,
                            {param(id), param(body), param(now_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no rule with id " + std::to_string(id));
  return {};
}

Result<std::vector<uint64_t>> PostgresRuleStore::replace_rules(
    const std::vector<uint64_t>& remove, const std::vector<std::string>& bodies, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<std::vector<uint64_t>> {
    if (Status s = delete_rules(db, remove); !s.ok()) return s;
    return insert_rules(db, bodies, now_ms);
  });
}

Result<std::vector<StoredCommandType>> PostgresRuleStore::list_command_types() {
  core::MutexLock lock(db_.mu);
  auto rows =
      db_.conn->run("list_command_types", detail::postgres_text<sql::kListCommandTypes>, {});
  if (!rows.ok()) return rows.status();
  std::vector<StoredCommandType> types;
  for (int i = 0; i < rows->size(); ++i) {
    types.push_back({rows->uint64(i, 0), rows->text(i, 1), rows->text(i, 2), rows->int64(i, 3) != 0,
                     rows->int64(i, 4)});
  }
  return types;
}

Result<PutCommandType> PostgresRuleStore::put_command_type(std::string_view name,
                                                           std::string_view description,
                                                           const std::vector<std::string>& bodies,
                                                           int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Result<PutCommandType> {
    auto rows = db.run("put_command_type", detail::postgres_text<sql::kPutCommandType>,
                       {param(name), param(description), param(now_ms)});
    if (!rows.ok()) return rows.status();
    auto rule_ids = insert_rules(db, bodies, now_ms);
    if (!rule_ids.ok()) return rule_ids.status();
    return PutCommandType{rows->uint64(0, 0), std::move(rule_ids.value())};
  });
}

Status PostgresRuleStore::retire_command_type(std::string_view name,
                                              const std::vector<uint64_t>& remove, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Status {
    if (Status s = delete_rules(db, remove); !s.ok()) return s;
    auto rows = db.run("retire_command_type", detail::postgres_text<sql::kRetireCommandType>,
                       {param(name), param(now_ms)});
    if (!rows.ok()) return rows.status();
    if (rows->affected() == 0) {
      return Status::not_found("no command type named \"" + std::string(name) + "\"");
    }
    return Status();
  });
}

}  // namespace

std::unique_ptr<RuleStore> make_rule_store(Database& db) {
  return std::make_unique<PostgresRuleStore>(db);
}

}  // namespace gaia::store::postgres
