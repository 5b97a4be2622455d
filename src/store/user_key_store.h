#pragma once
// UserKeyStore: the store's role for users and their API keys. Synchronous and durable when a
// call returns. Thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tier.h"

namespace gaia::store {

using core::Result;
using core::Status;

enum class Role : uint8_t { kAdmin = 0, kService = 1, kUser = 2 };
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct User {
  uint64_t id = 0;
  std::string name;
  core::Tier tier = core::Tier::kDefault;
  int64_t created_at_ms = 0;
  // Where the user's own notices (quota warnings) are POSTed, http[s]://...; empty: none.
  // It may carry a secret: shown only through core::redacted_url.
  std::string webhook_url = "";
};

// A key is stored only as its keyed hash (see identity/key_hasher.h).
using KeyHash = std::array<uint8_t, 32>;

struct ApiKey {
  uint64_t id = 0;
  uint64_t user_id = 0;
  Role role = Role::kUser;
  std::string label;
  KeyHash hash{};
  int64_t created_at_ms = 0;
  std::optional<int64_t> revoked_at_ms;
  bool agent = false;     // an admin marked it an AI agent's: its commands are judged as such
  bool from_env = false;  // registered from GAIA_ADMIN_KEY at start-up
};

class UserKeyStore {
 public:
  virtual ~UserKeyStore() = default;

  virtual Result<User> create_user(std::string_view name, core::Tier tier,
                                   int64_t now_ms) = 0;  // kInvalidArgument if taken
  // Deleted users are neither found nor listed (their names stay taken).
  virtual Result<std::optional<User>> find_user(std::string_view name) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  virtual Status set_tier(uint64_t user_id, core::Tier tier) = 0;  // kNotFound if absent
  // Sets the user's webhook URL, empty to clear it; kNotFound if absent.
  virtual Status set_webhook_url(uint64_t user_id, std::string_view url) = 0;
  // Revokes every key of the user and marks it deleted, in one transaction; kNotFound if
  // absent or already deleted.
  virtual Status delete_user(uint64_t user_id, int64_t now_ms) = 0;

  // Stores `key` (its id ignored) and returns it with the id it got.
  virtual Result<ApiKey> create_key(const ApiKey& key) = 0;
  virtual Result<std::vector<ApiKey>> list_keys() = 0;             // revoked ones too
  virtual Status revoke_key(uint64_t key_id, int64_t now_ms) = 0;  // kNotFound if absent
  // Sets the role and the agent mark of a key; kNotFound if absent.
  virtual Status update_key(uint64_t key_id, Role role, bool agent) = 0;
};

namespace detail {

// Passes every UserKeyStore call to Base's forward_to<UserKeyStore>() (see detail/roles.h).
template <class Base>
class ForwardUserKeyStore : public Base {
 public:
  using Base::Base;
  Result<User> create_user(std::string_view name, core::Tier tier, int64_t now_ms) override {
    return to().create_user(name, tier, now_ms);
  }
  Result<std::optional<User>> find_user(std::string_view name) override {
    return to().find_user(name);
  }
  Result<std::vector<User>> list_users() override { return to().list_users(); }
  Status set_tier(uint64_t user_id, core::Tier tier) override {
    return to().set_tier(user_id, tier);
  }
  Status set_webhook_url(uint64_t user_id, std::string_view url) override {
    return to().set_webhook_url(user_id, url);
  }
  Status delete_user(uint64_t user_id, int64_t now_ms) override {
    return to().delete_user(user_id, now_ms);
  }
  Result<ApiKey> create_key(const ApiKey& key) override { return to().create_key(key); }
  Result<std::vector<ApiKey>> list_keys() override { return to().list_keys(); }
  Status revoke_key(uint64_t key_id, int64_t now_ms) override {
    return to().revoke_key(key_id, now_ms);
  }
  Status update_key(uint64_t key_id, Role role, bool agent) override {
    return to().update_key(key_id, role, agent);
  }

 private:
  UserKeyStore& to() { return this->template forward_to<UserKeyStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
