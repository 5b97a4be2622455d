#include "identity/directory.h"

#include <sodium.h>

#include <array>

#include "core/process_serial.h"

namespace gaia::identity {

namespace {
constexpr std::string_view kEnvKeyLabel = "from GAIA_ADMIN_KEY";

// What authenticate() remembers of a key it found: the key's tag, SipHash-2-4 (128 bits) under
// a key drawn at start-up, so that memory holds no API key and a tag cannot be made without
// the key it stands for.
using Tag = std::array<unsigned char, crypto_shorthash_siphashx24_BYTES>;

const std::array<unsigned char, crypto_shorthash_siphashx24_KEYBYTES>& tag_key() {
  static const auto key = [] {
    std::array<unsigned char, crypto_shorthash_siphashx24_KEYBYTES> k;
    if (sodium_init() < 0) std::abort();  // no random key: nothing can be remembered safely
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  return key;
}

Tag tag_of(std::string_view key) {
  Tag tag;
  crypto_shorthash_siphashx24(tag.data(), reinterpret_cast<const unsigned char*>(key.data()),
                              key.size(), tag_key().data());
  return tag;
}

struct Remembered {
  const Directory* directory = nullptr;
  uint64_t generation = 0;
  Tag tag{};
  Caller caller;
};

// Per thread, so that a lookup takes no lock to consult it; a slot per tag's low bits.
constexpr size_t kRememberedKeys = 64;
thread_local std::array<Remembered, kRememberedKeys> remembered;

Remembered& slot_of(const Tag& tag) {
  uint64_t bits;
  std::memcpy(&bits, tag.data(), sizeof bits);
  return remembered[bits % kRememberedKeys];
}

}  // namespace

Directory::Directory(store::UserKeyStore& store, KeyHasher hasher)
    : store_(store), hasher_(hasher), generation_(core::next_process_serial()) {}

Directory::ChangeLock::ChangeLock(Directory& d) : mu_(d.mu_) {
  mu_.lock();
  d.generation_.store(core::next_process_serial(), std::memory_order_release);
}

core::Result<std::unique_ptr<Directory>> Directory::load(store::UserKeyStore& store,
                                                         KeyHasher hasher) {
  std::unique_ptr<Directory> dir(new Directory(store, hasher));
  core::MutexLock writing(dir->write_mu_);  // no other thread has the directory yet
  if (core::Status s = dir->read_store(); !s.ok()) return s;
  return dir;
}

core::Status Directory::read_store() {
  auto users = store_.list_users();
  if (!users.ok()) return users.status();
  auto keys = store_.list_keys();
  if (!keys.ok()) return keys.status();
  ChangeLock lock(*this);
  users_.clear();
  user_ids_.clear();
  keys_.clear();
  key_hashes_.clear();
  for (store::User& u : users.value()) {
    user_ids_[u.name] = u.id;
    users_[u.id] = std::move(u);
  }
  for (store::ApiKey& k : keys.value()) {
    if (k.revoked_at_ms || !users_.contains(k.user_id)) continue;
    key_hashes_[k.id] = k.hash;
    keys_[k.hash] = std::move(k);
  }
  erase_if(limit_scales_,
           [this](const auto& scale) REQUIRES(mu_) { return !users_.contains(scale.first); });
  return {};
}

core::Status Directory::reload() {
  {
    core::MutexLock writing(write_mu_);
    if (core::Status s = read_store(); !s.ok()) return s;
  }
  tell_listeners();
  return {};
}

Caller Directory::caller_locked(const store::ApiKey& k, const store::User& user) const {
  auto scale = limit_scales_.find(k.user_id);
  return Caller{k.user_id, k.id,
                user.name, k.role,
                user.tier, scale == limit_scales_.end() ? core::kFullScale : scale->second,
                k.agent};
}

std::optional<Caller> Directory::authenticate(std::string_view key) const {
  const Tag tag = tag_of(key);
  Remembered& slot = slot_of(tag);
  // A change takes the generation before it changes anything: a slot of the current
  // generation was filled from the directory as it is.
  if (slot.directory == this && slot.generation == generation_.load(std::memory_order_acquire) &&
      sodium_memcmp(slot.tag.data(), tag.data(), tag.size()) == 0) {
    return slot.caller;
  }
  const store::KeyHash hash = hasher_.hash(key);
  core::ReaderLock lock(mu_);
  auto it = keys_.find(hash);
  if (it == keys_.end()) return std::nullopt;
  // The table compared hashes; compare once more in constant time before trusting it.
  if (sodium_memcmp(it->first.data(), hash.data(), hash.size()) != 0) return std::nullopt;
  auto user = users_.find(it->second.user_id);
  if (user == users_.end()) return std::nullopt;
  Caller caller = caller_locked(it->second, user->second);
  // Read under the lock: no change can come between the lookup and its generation.
  slot = {this, generation_.load(std::memory_order_relaxed), tag, caller};
  return caller;
}

std::optional<Caller> Directory::caller_of(uint64_t key_id) const {
  core::ReaderLock lock(mu_);
  auto hash = key_hashes_.find(key_id);
  if (hash == key_hashes_.end()) return std::nullopt;
  const store::ApiKey& k = keys_.at(hash->second);
  auto user = users_.find(k.user_id);
  if (user == users_.end()) return std::nullopt;
  return caller_locked(k, user->second);
}

std::optional<store::ApiKey> Directory::live_key(uint64_t key_id) const {
  core::ReaderLock lock(mu_);
  auto hash = key_hashes_.find(key_id);
  if (hash == key_hashes_.end()) return std::nullopt;
  return keys_.at(hash->second);
}

void Directory::set_limit_scales(const std::vector<std::pair<std::string, uint16_t>>& scales) {
  ChangeLock lock(*this);
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

void Directory::tell_listeners() const {
  for (CredentialListener* l : listeners_) l->credentials_changed();
}

core::Result<store::User> Directory::create_user(std::string_view name, core::Tier tier,
                                                 int64_t now_ms) {
  core::MutexLock writing(write_mu_);
  if (find_user(name))
    return core::Status::invalid_argument("user " + std::string(name) + " exists");
  auto user = store_.create_user(name, tier, now_ms);
  if (!user.ok()) return user.status();
  ChangeLock lock(*this);
  user_ids_[user->name] = user->id;
  users_[user->id] = user.value();
  return user;
}

core::Result<store::User> Directory::set_tier(std::string_view name, core::Tier tier) {
  core::MutexLock writing(write_mu_);
  std::optional<store::User> user = find_user(name);
  if (!user) return core::Status::not_found("no user " + std::string(name));
  if (core::Status s = store_.set_tier(user->id, tier); !s.ok()) return s;
  user->tier = tier;
  ChangeLock lock(*this);
  users_[user->id] = *user;
  return *user;
}

core::Result<store::User> Directory::set_webhook_url(std::string_view name, std::string_view url) {
  core::MutexLock writing(write_mu_);
  std::optional<store::User> user = find_user(name);
  if (!user) return core::Status::not_found("no user " + std::string(name));
  if (core::Status s = store_.set_webhook_url(user->id, url); !s.ok()) return s;
  user->webhook_url = std::string(url);
  ChangeLock lock(*this);
  users_[user->id] = *user;
  return *user;
}

core::Result<store::User> Directory::delete_user(std::string_view name, int64_t now_ms) {
  std::optional<store::User> user;
  {
    core::MutexLock writing(write_mu_);
    user = find_user(name);
    if (!user) return core::Status::not_found("no user " + std::string(name));
    if (core::Status s = store_.delete_user(user->id, now_ms); !s.ok()) return s;
    ChangeLock lock(*this);
    std::vector<uint64_t> ended;
    for (const auto& [hash, key] : keys_) {
      if (key.user_id == user->id) ended.push_back(key.id);
    }
    for (uint64_t id : ended) {
      keys_.erase(key_hashes_.at(id));
      key_hashes_.erase(id);
    }
    limit_scales_.erase(user->id);
    user_ids_.erase(user->name);
    users_.erase(user->id);
  }
  tell_listeners();
  return *user;
}

core::Result<store::ApiKey> Directory::insert_key(store::ApiKey key) {
  auto stored = store_.create_key(key);
  if (!stored.ok()) return stored.status();
  ChangeLock lock(*this);
  key_hashes_[stored->id] = stored->hash;
  keys_[stored->hash] = stored.value();
  return stored;
}

core::Result<NewKey> Directory::create_key(std::string_view user_name, store::Role role,
                                           std::string_view label, int64_t now_ms, bool agent) {
  core::MutexLock writing(write_mu_);
  std::optional<store::User> user = find_user(user_name);
  if (!user) return core::Status::not_found("no user " + std::string(user_name));
  std::string plain = KeyHasher::generate_key();
  store::ApiKey record;
  record.user_id = user->id;
  record.role = role;
  record.label = std::string(label);
  record.hash = hasher_.hash(plain);
  record.created_at_ms = now_ms;
  record.agent = agent;
  auto key = insert_key(std::move(record));
  if (!key.ok()) return key.status();
  return NewKey{key.value(), std::move(plain)};
}

core::Result<EnvKeyOutcome> Directory::adopt_env_key(std::string_view user_name,
                                                     std::string_view key, int64_t now_ms) {
  const store::KeyHash hash = hasher_.hash(key);
  EnvKeyOutcome outcome;
  {
    core::MutexLock writing(write_mu_);
    // Revoked keys are not in memory; their rows still hold the hash (which is unique).
    auto all = store_.list_keys();
    if (!all.ok()) return all.status();
    const store::ApiKey* same = nullptr;
    for (const store::ApiKey& k : all.value()) {
      if (k.hash == hash) same = &k;
    }
    if (same != nullptr && same->revoked_at_ms) {
      outcome.state = EnvKeyOutcome::State::kRevoked;
      outcome.revoked_at_ms = same->revoked_at_ms;
    } else if (same == nullptr) {
      std::optional<store::User> user = find_user(user_name);
      if (!user) return core::Status::not_found("no user " + std::string(user_name));
      store::ApiKey record;
      record.user_id = user->id;
      record.role = store::Role::kAdmin;
      record.label = std::string(kEnvKeyLabel);
      record.hash = hash;
      record.created_at_ms = now_ms;
      record.from_env = true;
      auto added = insert_key(std::move(record));
      if (!added.ok()) return added.status();
      outcome.state = EnvKeyOutcome::State::kAdded;
    }
    for (const store::ApiKey& k : all.value()) {
      if (!k.from_env || k.revoked_at_ms || k.hash == hash) continue;
      auto retired = revoke_locked(k.id, now_ms);
      if (!retired.ok()) return retired.status();
      outcome.retired.push_back(std::move(retired.value()));
    }
  }
  if (!outcome.retired.empty()) tell_listeners();
  return outcome;
}

core::Result<store::ApiKey> Directory::revoke_locked(uint64_t key_id, int64_t now_ms) {
  std::optional<store::ApiKey> key = live_key(key_id);
  if (!key) {
    return core::Status::not_found("key " + std::to_string(key_id) +
                                   " is unknown or already revoked");
  }
  if (core::Status s = store_.revoke_key(key_id, now_ms); !s.ok()) return s;
  key->revoked_at_ms = now_ms;
  ChangeLock lock(*this);
  keys_.erase(key->hash);
  key_hashes_.erase(key_id);
  return *key;
}

core::Result<store::ApiKey> Directory::revoke_key(uint64_t key_id, int64_t now_ms) {
  core::Result<store::ApiKey> revoked = [&] {
    core::MutexLock writing(write_mu_);
    return revoke_locked(key_id, now_ms);
  }();
  if (revoked.ok()) tell_listeners();
  return revoked;
}

core::Result<store::ApiKey> Directory::update_key(uint64_t key_id, store::Role role, bool agent) {
  std::optional<store::ApiKey> key;
  {
    core::MutexLock writing(write_mu_);
    key = live_key(key_id);
    if (!key) {
      return core::Status::not_found("key " + std::to_string(key_id) +
                                     " is unknown or already revoked");
    }
    if (core::Status s = store_.update_key(key_id, role, agent); !s.ok()) return s;
    key->role = role;
    key->agent = agent;
    ChangeLock lock(*this);
    keys_[key->hash] = *key;
  }
  tell_listeners();
  return *key;
}

}  // namespace gaia::identity
