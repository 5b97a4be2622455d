#pragma once
// Directory: the users and API keys, held in memory for the request path and written
// through to the store, so a tier change or a revoked key takes effect on the next request.
// Thread-safe: lookups share a lock; changes take it exclusively.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/rule.h"
#include "identity/key_hasher.h"
#include "store/user_key_store.h"

namespace gaia::identity {

// Who sent a request.
struct Caller {
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string user_name;
  store::Role role = store::Role::kUser;
  core::Tier tier = core::Tier::kDefault;
  uint16_t limit_scale = core::kFullScale;  // the user's reputation factor, in thousandths
};

struct NewKey {
  store::ApiKey record;
  std::string key;  // the only time it exists in plain text
};

class Directory {
 public:
  static core::Result<std::unique_ptr<Directory>> load(store::UserKeyStore& store,
                                                       KeyHasher hasher);

  // The caller a key belongs to, unless it is unknown or revoked. Compares in constant time.
  std::optional<Caller> authenticate(std::string_view key) const;
  std::optional<store::User> find_user(std::string_view name) const;
  std::optional<store::User> user_by_id(uint64_t id) const;
  bool has_admin_key() const;

  // kInvalidArgument "exists" when the name is taken.
  core::Result<store::User> create_user(std::string_view name, core::Tier tier, int64_t now_ms);
  core::Result<store::User> set_tier(std::string_view name, core::Tier tier);
  core::Result<NewKey> create_key(std::string_view user_name, store::Role role,
                                  std::string_view label, int64_t now_ms);
  // Registers a key the operator chose (GAIA_ADMIN_KEY) unless it is already known.
  core::Status adopt_key(std::string_view user_name, store::Role role, std::string_view key,
                         int64_t now_ms);
  core::Result<store::ApiKey> revoke_key(uint64_t key_id, int64_t now_ms);

  // The factors reputation puts on users' limits (core::Principal::limit_scale), by name;
  // every user not named is at full scale. Replaces the previous set.
  void set_limit_scales(const std::vector<std::pair<std::string, uint16_t>>& scales);
  uint16_t limit_scale(uint64_t user_id) const;

 private:
  struct HashOf {
    size_t operator()(const store::KeyHash& h) const {
      size_t v;
      std::memcpy(&v, h.data(), sizeof v);  // already uniformly random
      return v;
    }
  };
  Directory(store::UserKeyStore& store, KeyHasher hasher) : store_(store), hasher_(hasher) {}
  core::Result<store::ApiKey> insert_key(const store::User& user, store::Role role,
                                         std::string_view label, const store::KeyHash& hash,
                                         int64_t now_ms) REQUIRES(mu_);

  store::UserKeyStore& store_;
  const KeyHasher hasher_;
  mutable core::SharedMutex mu_;
  boost::unordered_flat_map<uint64_t, store::User> users_ GUARDED_BY(mu_);
  boost::unordered_flat_map<std::string, uint64_t> user_ids_ GUARDED_BY(mu_);  // by name
  // Live keys by hash.
  boost::unordered_flat_map<store::KeyHash, store::ApiKey, HashOf> keys_ GUARDED_BY(mu_);
  boost::unordered_flat_map<uint64_t, uint16_t> limit_scales_ GUARDED_BY(mu_);  // not at full scale
};

}  // namespace gaia::identity
