// SqliteStore's users and API keys (store/user_key_store.h).

#include "store/sql/user_key_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

User user_of(const Statement& row) {
  User user;
  user.id = row.uint64(0);
  user.name = row.text(1);
  user.tier = core::parse_tier(row.text(2)).value_or(core::Tier::kDefault);
  user.created_at_ms = row.int64(3);
  user.webhook_url = row.text(4);
  return user;
}

class SqliteUserKeyStore final : public UserKeyStore {
 public:
  explicit SqliteUserKeyStore(Database& db) : db_(db) {}

  Result<User> create_user(std::string_view name, core::Tier tier, int64_t now_ms) override;
  Result<std::optional<User>> find_user(std::string_view name) override;
  Result<std::vector<User>> list_users() override;
  Status set_tier(uint64_t user_id, core::Tier tier) override;
  Status set_webhook_url(uint64_t user_id, std::string_view url) override;
  Status delete_user(uint64_t user_id, int64_t now_ms) override;
  Result<ApiKey> create_key(const ApiKey& key) override;
  Result<std::vector<ApiKey>> list_keys() override;
  Status revoke_key(uint64_t key_id, int64_t now_ms) override;
  Status update_key(uint64_t key_id, Role role, bool agent) override;

 private:
  Database& db_;
};

Result<User> SqliteUserKeyStore::create_user(std::string_view name, core::Tier tier,
                                             int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto exists = db_.conn->prepare("SELECT 1 FROM users WHERE name = ?1");
  if (!exists.ok()) return exists.status();
  auto found = exists->bind(1, name).step();
  if (!found.ok()) return found.status();
  if (found.value()) return Status::invalid_argument("user " + std::string(name) + " exists");
  auto insert =
      db_.conn->prepare("INSERT INTO users (name, tier, created_at_ms) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  if (Status s = insert->bind(1, name).bind(2, core::tier_name(tier)).bind(3, now_ms).run();
      !s.ok()) {
    return s;
  }
  return User{.id = static_cast<uint64_t>(db_.conn->last_insert_id()),
              .name = std::string(name),
              .tier = tier,
              .created_at_ms = now_ms};
}

Result<std::optional<User>> SqliteUserKeyStore::find_user(std::string_view name) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kFindUser);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->bind(1, name).step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<User>();
  return std::optional<User>(user_of(stmt.value()));
}

Result<std::vector<User>> SqliteUserKeyStore::list_users() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListUsers);
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<User>(user_of);
}

Status SqliteUserKeyStore::set_tier(uint64_t user_id, core::Tier tier) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kSetTier);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(user_id)).bind(2, core::tier_name(tier)).run();
      !s.ok()) {
    return s;
  }
  if (db_.conn->changes() == 0)
    return Status::not_found("no user with id " + std::to_string(user_id));
  return {};
}

Status SqliteUserKeyStore::set_webhook_url(uint64_t user_id, std::string_view url) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kSetWebhookUrl);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(user_id)).bind(2, url).run(); !s.ok()) return s;
  if (db_.conn->changes() == 0)
    return Status::not_found("no user with id " + std::to_string(user_id));
  return {};
}

Status SqliteUserKeyStore::delete_user(uint64_t user_id, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Status {
    auto mark = db.prepare(sql::kMarkUserDeleted);
    if (!mark.ok()) return mark.status();
    if (Status s = mark->bind(1, static_cast<int64_t>(user_id)).bind(2, now_ms).run(); !s.ok()) {
      return s;
    }
    if (db.changes() == 0) return Status::not_found("no user with id " + std::to_string(user_id));
    auto revoke = db.prepare(sql::kRevokeUserKeys);
    if (!revoke.ok()) return revoke.status();
    return revoke->bind(1, static_cast<int64_t>(user_id)).bind(2, now_ms).run();
  });
}

Result<ApiKey> SqliteUserKeyStore::create_key(const ApiKey& key) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(
      "INSERT INTO api_keys (user_id, role, label, hash, created_at_ms, agent, from_env) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(key.user_id))
                     .bind(2, role_name(key.role))
                     .bind(3, key.label)
                     .bind_blob(4, key.hash.data(), key.hash.size())
                     .bind(5, key.created_at_ms)
                     .bind(6, int64_t{key.agent})
                     .bind(7, int64_t{key.from_env})
                     .run();
      !s.ok()) {
    return s;
  }
  ApiKey stored = key;
  stored.id = static_cast<uint64_t>(db_.conn->last_insert_id());
  return stored;
}

Result<std::vector<ApiKey>> SqliteUserKeyStore::list_keys() {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListKeys);
  if (!stmt.ok()) return stmt.status();
  std::optional<Status> bad_hash;
  auto keys = stmt->collect<ApiKey>([&](const Statement& r) {
    ApiKey key;
    key.id = r.uint64(0);
    key.user_id = r.uint64(1);
    key.role = parse_role(r.text(2)).value_or(Role::kUser);
    key.label = r.text(3);
    std::string_view hash = r.blob(4);
    if (hash.size() == key.hash.size()) {
      std::copy(hash.begin(), hash.end(), key.hash.begin());
    } else {
      bad_hash =
          Status::internal("api_keys.hash of key " + std::to_string(key.id) + ": wrong size");
    }
    key.created_at_ms = r.int64(5);
    key.revoked_at_ms = r.optional_int(6);
    key.agent = r.int64(7) != 0;
    key.from_env = r.int64(8) != 0;
    return key;
  });
  if (bad_hash) return *bad_hash;
  return keys;
}

Status SqliteUserKeyStore::revoke_key(uint64_t key_id, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kRevokeKey);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(key_id)).bind(2, now_ms).run(); !s.ok()) {
    return s;
  }
  if (db_.conn->changes() == 0)
    return Status::not_found("no key with id " + std::to_string(key_id));
  return {};
}

Status SqliteUserKeyStore::update_key(uint64_t key_id, Role role, bool agent) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kUpdateKey);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(key_id))
                     .bind(2, role_name(role))
                     .bind(3, int64_t{agent})
                     .run();
      !s.ok()) {
    return s;
  }
  if (db_.conn->changes() == 0)
    return Status::not_found("no key with id " + std::to_string(key_id));
  return {};
}

}  // namespace

std::unique_ptr<UserKeyStore> make_user_key_store(Database& db) {
  return std::make_unique<SqliteUserKeyStore>(db);
}

}  // namespace gaia::store::sqlite
