#include "identity/directory.h"

namespace gaia::identity {

core::Result<std::unique_ptr<Directory>> Directory::load(store::UserKeyStore& store,
                                                         KeyHasher hasher) {
  std::unique_ptr<Directory> dir(new Directory(store, hasher));
  core::WriterLock lock(dir->mu_);  // no other thread has the directory yet
  auto users = store.list_users();
  if (!users.ok()) return users.status();
  for (store::User& u : users.value()) {
    dir->user_ids_[u.name] = u.id;
    dir->users_[u.id] = std::move(u);
  }
  auto keys = store.list_keys();
  if (!keys.ok()) return keys.status();
  for (store::ApiKey& k : keys.value()) {
    if (!k.revoked_at_ms) dir->keys_[k.hash] = std::move(k);
  }
  return dir;
}

std::optional<Caller> Directory::authenticate(std::string_view key) const {
  const store::KeyHash hash = hasher_.hash(key);
  core::ReaderLock lock(mu_);
  auto it = keys_.find(hash);
  if (it == keys_.end()) return std::nullopt;
  // The table compared hashes; compare once more in constant time before trusting it.
  if (sodium_memcmp(it->first.data(), hash.data(), hash.size()) != 0) return std::nullopt;
  const store::ApiKey& k = it->second;
  auto user = users_.find(k.user_id);
  if (user == users_.end()) return std::nullopt;
  auto scale = limit_scales_.find(k.user_id);
  return Caller{k.user_id,         k.id,
                user->second.name, k.role,
                user->second.tier, scale == limit_scales_.end() ? core::kFullScale : scale->second};
}

void Directory::set_limit_scales(const std::vector<std::pair<std::string, uint16_t>>& scales) {
  core::WriterLock lock(mu_);
  limit_scales_.clear();
  for (const auto& [name, scale] : scales) {
    auto id = user_ids_.find(name);
    if (id != user_ids_.end() && scale != core::kFullScale) limit_scales_[id->second] = scale;
  }
}

uint16_t Directory::limit_scale(uint64_t user_id) const {
  core::ReaderLock lock(mu_);
  auto it = limit_scales_.find(user_id);
  return it == limit_scales_.end() ? core::kFullScale : it->second;
}

std::optional<store::User> Directory::find_user(std::string_view name) const {
  core::ReaderLock lock(mu_);
  auto id = user_ids_.find(std::string(name));
  if (id == user_ids_.end()) return std::nullopt;
  return users_.at(id->second);
}

std::optional<store::User> Directory::user_by_id(uint64_t id) const {
  core::ReaderLock lock(mu_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

bool Directory::has_admin_key() const {
  core::ReaderLock lock(mu_);
  for (const auto& [hash, key] : keys_) {
    if (key.role == store::Role::kAdmin) return true;
  }
  return false;
}

core::Result<store::User> Directory::create_user(std::string_view name, core::Tier tier,
                                                 int64_t now_ms) {
  core::WriterLock lock(mu_);
  if (user_ids_.contains(std::string(name))) {
    return core::Status::invalid_argument("user " + std::string(name) + " exists");
  }
  auto user = store_.create_user(name, tier, now_ms);
  if (!user.ok()) return user.status();
  user_ids_[user->name] = user->id;
  users_[user->id] = user.value();
  return user;
}

core::Result<store::User> Directory::set_tier(std::string_view name, core::Tier tier) {
  core::WriterLock lock(mu_);
  auto id = user_ids_.find(std::string(name));
  if (id == user_ids_.end()) return core::Status::not_found("no user " + std::string(name));
  if (core::Status s = store_.set_tier(id->second, tier); !s.ok()) return s;
  store::User& user = users_.at(id->second);
  user.tier = tier;
  return user;
}

core::Result<store::ApiKey> Directory::insert_key(const store::User& user, store::Role role,
                                                  std::string_view label,
                                                  const store::KeyHash& hash, int64_t now_ms) {
  auto key = store_.create_key(user.id, role, label, hash, now_ms);
  if (!key.ok()) return key.status();
  keys_[hash] = key.value();
  return key;
}

core::Result<NewKey> Directory::create_key(std::string_view user_name, store::Role role,
                                           std::string_view label, int64_t now_ms) {
  core::WriterLock lock(mu_);
  auto id = user_ids_.find(std::string(user_name));
  if (id == user_ids_.end()) return core::Status::not_found("no user " + std::string(user_name));
  std::string plain = KeyHasher::generate_key();
  auto key = insert_key(users_.at(id->second), role, label, hasher_.hash(plain), now_ms);
  if (!key.ok()) return key.status();
  return NewKey{key.value(), std::move(plain)};
}

core::Status Directory::adopt_key(std::string_view user_name, store::Role role,
                                  std::string_view key, int64_t now_ms) {
  const store::KeyHash hash = hasher_.hash(key);
  core::WriterLock lock(mu_);
  if (keys_.contains(hash)) return {};
  auto id = user_ids_.find(std::string(user_name));
  if (id == user_ids_.end()) return core::Status::not_found("no user " + std::string(user_name));
  auto added = insert_key(users_.at(id->second), role, "from GAIA_ADMIN_KEY", hash, now_ms);
  return added.ok() ? core::Status() : added.status();
}

core::Result<store::ApiKey> Directory::revoke_key(uint64_t key_id, int64_t now_ms) {
  core::WriterLock lock(mu_);
  if (core::Status s = store_.revoke_key(key_id, now_ms); !s.ok()) return s;
  for (auto it = keys_.begin(); it != keys_.end(); ++it) {
    if (it->second.id == key_id) {
      store::ApiKey revoked = it->second;
      revoked.revoked_at_ms = now_ms;
      keys_.erase(it);
      return revoked;
    }
  }
  return core::Status::not_found("key " + std::to_string(key_id) + " is already revoked");
}

}  // namespace gaia::identity
