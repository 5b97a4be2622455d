#pragma once
// Directory: the users and API keys, held in memory for the request path and written
// through to the store, so a tier change or a revoked key takes effect on the next request.
//
// Threads: every method may be called from any thread. Lookups share `mu_`; a change writes
// to the store first, holding only `write_mu_` (which no lookup takes), then publishes the
// result in memory under `mu_` exclusively. So no lock a request needs is ever held across
// store I/O: a stalled database stalls changes, never authentication.
// Changes that may end a credential (a key revoked or changed, a user deleted) are told to
// every CredentialListener after they are published, on the changing thread, no lock held.

#include <atomic>
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
  bool agent = false;  // the key is marked an AI agent's: every command it sends is judged so
};

struct NewKey {
  store::ApiKey record;
  std::string key;  // the only time it exists in plain text
};

// What GAIA_ADMIN_KEY turned out to be at start-up (Directory::adopt_env_key).
struct EnvKeyOutcome {
  enum class State { kAdded, kKnown, kRevoked };
  State state = State::kKnown;
  std::optional<int64_t> revoked_at_ms;  // with kRevoked
  // Keys an earlier GAIA_ADMIN_KEY registered, revoked now because the variable changed.
  std::vector<store::ApiKey> retired;
};

// Told about every change that may end a credential. Implementations must be quick and must
// not change the directory.
class CredentialListener {
 public:
  virtual ~CredentialListener() = default;
  virtual void credentials_changed() = 0;
};

class Directory {
 public:
  static core::Result<std::unique_ptr<Directory>> load(store::UserKeyStore& store,
                                                       KeyHasher hasher);

  // The caller a key belongs to, unless it is unknown or revoked. Compares in constant time.
  // Each thread remembers the keys it found last (by a keyed tag, never the key): a client
  // that sends the same key on every request is hashed once, until the directory changes.
  std::optional<Caller> authenticate(std::string_view key) const;
  // The caller of a live key by its id (a session re-validated): nullopt once it is revoked
  // or its user deleted; its current role, tier and agent mark otherwise.
  std::optional<Caller> caller_of(uint64_t key_id) const;
  std::optional<store::User> find_user(std::string_view name) const;
  std::optional<store::User> user_by_id(uint64_t id) const;
  bool has_admin_key() const;

  // kInvalidArgument "exists" when the name is taken.
  core::Result<store::User> create_user(std::string_view name, core::Tier tier, int64_t now_ms);
  core::Result<store::User> set_tier(std::string_view name, core::Tier tier);
  // Sets (empty: clears) the user's webhook URL, which the caller has validated.
  core::Result<store::User> set_webhook_url(std::string_view name, std::string_view url);
  // Revokes every key of the user, then forgets it; kNotFound if there is none.
  core::Result<store::User> delete_user(std::string_view name, int64_t now_ms);
  core::Result<NewKey> create_key(std::string_view user_name, store::Role role,
                                  std::string_view label, int64_t now_ms, bool agent = false);
  // Registers the key the operator chose (GAIA_ADMIN_KEY) as an admin key of `user_name`
  // unless it is already known; a revoked one stays revoked. Either way every other key an
  // earlier value registered is revoked. Start-up only.
  core::Result<EnvKeyOutcome> adopt_env_key(std::string_view user_name, std::string_view key,
                                            int64_t now_ms);
  // kNotFound if the key is unknown or already revoked.
  core::Result<store::ApiKey> revoke_key(uint64_t key_id, int64_t now_ms);
  // Sets a live key's role and agent mark; kNotFound if it is unknown or revoked.
  core::Result<store::ApiKey> update_key(uint64_t key_id, store::Role role, bool agent);

  // Reads every user and key from the store again and publishes them in place of what
  // memory held (another node changed them), then tells the listeners: sessions of a key
  // revoked elsewhere end. On failure memory is unchanged.
  core::Status reload();

  // The factors reputation puts on users' limits (core::Principal::limit_scale), by name;
  // every user not named is at full scale. Replaces the previous set.
  void set_limit_scales(const std::vector<std::pair<std::string, uint16_t>>& scales);
  uint16_t limit_scale(uint64_t user_id) const;

  // `listener` must stay live while changes are made. Add every listener before the
  // directory is shared.
  void add_listener(CredentialListener* listener) { listeners_.push_back(listener); }

 private:
  struct HashOf {
    size_t operator()(const store::KeyHash& h) const {
      size_t v;
      std::memcpy(&v, h.data(), sizeof v);  // already uniformly random
      return v;
    }
  };
  // mu_ held to change what lookups read. Every change takes this lock, never mu_ alone:
  // taking it ends what authenticate() remembers of the directory as it was.
  class SCOPED_CAPABILITY ChangeLock {
   public:
    explicit ChangeLock(Directory& d) ACQUIRE(d.mu_);
    ~ChangeLock() RELEASE() { mu_.unlock(); }
    ChangeLock(const ChangeLock&) = delete;
    ChangeLock& operator=(const ChangeLock&) = delete;

   private:
    core::SharedMutex& mu_;
  };

  Directory(store::UserKeyStore& store, KeyHasher hasher);
  Caller caller_locked(const store::ApiKey& key, const store::User& user) const
      REQUIRES_SHARED(mu_);
  std::optional<store::ApiKey> live_key(uint64_t key_id) const;
  // Replaces the users and keys in memory with the store's.
  core::Status read_store() REQUIRES(write_mu_);
  // Writes `key` to the store, then publishes it.
  core::Result<store::ApiKey> insert_key(store::ApiKey key) REQUIRES(write_mu_);
  core::Result<store::ApiKey> revoke_locked(uint64_t key_id, int64_t now_ms) REQUIRES(write_mu_);
  void tell_listeners() const;

  store::UserKeyStore& store_;
  const KeyHasher hasher_;
  std::vector<CredentialListener*> listeners_;
  // Serialises changes across their store write; never taken by a lookup. Before mu_.
  core::Mutex write_mu_ ACQUIRED_BEFORE(mu_);
  mutable core::SharedMutex mu_;
  // Which state of the directory this is, unique in the process: changes with every change
  // (ChangeLock). What authenticate() remembers is good for one generation only.
  std::atomic<uint64_t> generation_;
  boost::unordered_flat_map<uint64_t, store::User> users_ GUARDED_BY(mu_);
  boost::unordered_flat_map<std::string, uint64_t> user_ids_ GUARDED_BY(mu_);  // by name
  // Live keys by hash, and their hashes by id.
  boost::unordered_flat_map<store::KeyHash, store::ApiKey, HashOf> keys_ GUARDED_BY(mu_);
  boost::unordered_flat_map<uint64_t, store::KeyHash> key_hashes_ GUARDED_BY(mu_);
  boost::unordered_flat_map<uint64_t, uint16_t> limit_scales_ GUARDED_BY(mu_);  // not at full scale
};

}  // namespace gaia::identity
