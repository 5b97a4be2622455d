// PostgresStore's users and API keys (store/user_key_store.h).

#include "store/sql/user_key_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

User user_of(const Rows& rows, int i) {
  return User{.id = rows.uint64(i, 0),
              .name = rows.text(i, 1),
              .tier = core::parse_tier(rows.text(i, 2)).value_or(core::Tier::kDefault),
              .created_at_ms = rows.int64(i, 3),
              .webhook_url = rows.text(i, 4)};
}

std::string hex_bytes(const KeyHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  for (uint8_t b : hash) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

class PostgresUserKeyStore final : public UserKeyStore {
 public:
  explicit PostgresUserKeyStore(Database& db) : db_(db) {}

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

Result<User> PostgresUserKeyStore::create_user(std::string_view name, core::Tier tier,
                                               int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("create_user",
                            "INSERT INTO users (name, tier, created_at_ms) VALUES ($1, $2, $3) "
                            "ON CONFLICT (name) DO NOTHING RETURNING id",
                            {param(name), param(core::tier_name(tier)), param(now_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return Status::invalid_argument("user " + std::string(name) + " exists");
  return User{
      .id = rows->uint64(0, 0), .name = std::string(name), .tier = tier, .created_at_ms = now_ms};
}

Result<std::optional<User>> PostgresUserKeyStore::find_user(std::string_view name) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("find_user", detail::postgres_text<sql::kFindUser>, {param(name)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<User>();
  return std::optional<User>(user_of(rows.value(), 0));
}

Result<std::vector<User>> PostgresUserKeyStore::list_users() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_users", detail::postgres_text<sql::kListUsers>, {});
  if (!rows.ok()) return rows.status();
  std::vector<User> users;
  for (int i = 0; i < rows->size(); ++i) users.push_back(user_of(rows.value(), i));
  return users;
}

Status PostgresUserKeyStore::set_tier(uint64_t user_id, core::Tier tier) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("set_tier", detail::postgres_text<sql::kSetTier>,
                            {param(user_id), param(core::tier_name(tier))});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no user with id " + std::to_string(user_id));
  return {};
}

Status PostgresUserKeyStore::set_webhook_url(uint64_t user_id, std::string_view url) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("set_webhook_url", detail::postgres_text<sql::kSetWebhookUrl>,
                            {param(user_id), param(url)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no user with id " + std::to_string(user_id));
  return {};
}

Status PostgresUserKeyStore::delete_user(uint64_t user_id, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  Connection& db = *db_.conn;
  return in_transaction(db, [&]() -> Status {
    auto marked = db.run("mark_user_deleted", detail::postgres_text<sql::kMarkUserDeleted>,
                         {param(user_id), param(now_ms)});
    if (!marked.ok()) return marked.status();
    if (marked->affected() == 0)
      return Status::not_found("no user with id " + std::to_string(user_id));
    auto revoked = db.run("revoke_user_keys", detail::postgres_text<sql::kRevokeUserKeys>,
                          {param(user_id), param(now_ms)});
    return revoked.ok() ? Status() : revoked.status();
  });
}

Result<ApiKey> PostgresUserKeyStore::create_key(const ApiKey& key) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run(
      "create_key",
      "INSERT INTO api_keys (user_id, role, label, hash, created_at_ms, agent, from_env) "
      "VALUES ($1, $2, $3, $4::bytea, $5, $6, $7) RETURNING id",
      {param(key.user_id), param(role_name(key.role)), param(key.label), param(hex_bytes(key.hash)),
       param(key.created_at_ms), param(int64_t{key.agent}), param(int64_t{key.from_env})});
  if (!rows.ok()) return rows.status();
  ApiKey stored = key;
  stored.id = rows->uint64(0, 0);
  return stored;
}

Result<std::vector<ApiKey>> PostgresUserKeyStore::list_keys() {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_keys", detail::postgres_text<sql::kListKeys>, {});
  if (!rows.ok()) return rows.status();
  std::vector<ApiKey> keys;
  for (int i = 0; i < rows->size(); ++i) {
    ApiKey key;
    key.id = rows->uint64(i, 0);
    key.user_id = rows->uint64(i, 1);
    key.role = parse_role(rows->text(i, 2)).value_or(Role::kUser);
    key.label = rows->text(i, 3);
    std::string hash = rows->bytes(i, 4);
    if (hash.size() != key.hash.size()) {
      return Status::internal("api_keys.hash of key " + std::to_string(key.id) + ": wrong size");
    }
    std::copy(hash.begin(), hash.end(), key.hash.begin());
    key.created_at_ms = rows->int64(i, 5);
    key.revoked_at_ms = rows->optional_int(i, 6);
    key.agent = rows->int64(i, 7) != 0;
    key.from_env = rows->int64(i, 8) != 0;
    keys.push_back(std::move(key));
  }
  return keys;
}

Status PostgresUserKeyStore::revoke_key(uint64_t key_id, int64_t now_ms) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("revoke_key", detail::postgres_text<sql::kRevokeKey>,
                            {param(key_id), param(now_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no key with id " + std::to_string(key_id));
  return {};
}

Status PostgresUserKeyStore::update_key(uint64_t key_id, Role role, bool agent) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("update_key", detail::postgres_text<sql::kUpdateKey>,
                            {param(key_id), param(role_name(role)), param(int64_t{agent})});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no key with id " + std::to_string(key_id));
  return {};
}

}  // namespace

std::unique_ptr<UserKeyStore> make_user_key_store(Database& db) {
  return std::make_unique<PostgresUserKeyStore>(db);
}

}  // namespace gaia::store::postgres
