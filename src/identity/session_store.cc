#include "identity/session_store.h"

#include <algorithm>
#include <unordered_map>

namespace gaia::identity {

namespace {

constexpr std::size_t kTokenBytes = 32;

// Directory -> its store. Consulted only for requests that carry the session cookie, so the
// lock never touches the path of key-authenticated requests.
core::SharedMutex attached_mu;
std::unordered_map<const Directory*, const SessionStore*>& attached() REQUIRES_SHARED(attached_mu) {
  static std::unordered_map<const Directory*, const SessionStore*> m;
  return m;
}

}  // namespace

SessionStore::SessionStore(const core::Clock& clock, const Directory& directory,
                           SessionOptions options)
    : clock_(clock), directory_(directory), options_(options) {
  core::WriterLock lock(attached_mu);
  attached()[&directory_] = this;
}

SessionStore::~SessionStore() {
  core::WriterLock lock(attached_mu);
  auto it = attached().find(&directory_);
  if (it != attached().end() && it->second == this) attached().erase(it);
}

const SessionStore* SessionStore::of(const Directory& directory) {
  core::ReaderLock lock(attached_mu);
  auto it = attached().find(&directory);
  return it == attached().end() ? nullptr : it->second;
}

SessionStore::Hash SessionStore::hash(std::string_view token) {
  Hash h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return h;
}

std::string SessionStore::create(const Caller& caller) {
  unsigned char raw[kTokenBytes];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string token(text);
  const core::MonoTime now = clock_.mono_now();
  core::MutexLock lock(mu_);
  evict_locked(now);
  sessions_[hash(token)] = Session{caller.key_id, now + options_.ttl};
  return token;
}

void SessionStore::evict_locked(core::MonoTime now) {
  std::erase_if(sessions_, [now](const auto& kv) { return kv.second.expires <= now; });
  while (sessions_.size() >= options_.max_sessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.expires < b.second.expires;
    });
    sessions_.erase(oldest);
  }
}

std::optional<Caller> SessionStore::find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const Hash h = hash(token);
  uint64_t key_id = 0;
  {
    core::MutexLock lock(mu_);
    auto it = sessions_.find(h);
    if (it == sessions_.end()) return std::nullopt;
    // The map compared hashes (which tell an attacker nothing about other tokens); compare
    // once more in constant time before trusting the match.
    if (sodium_memcmp(it->first.data(), h.data(), h.size()) != 0) return std::nullopt;
    if (it->second.expires <= clock_.mono_now()) {
      sessions_.erase(it);
      return std::nullopt;
    }
    key_id = it->second.key_id;
  }
  // The key as it is now: a revocation, a demotion or a deleted user ends the session.
  std::optional<Caller> caller = directory_.caller_of(key_id);
  if (caller && caller->role == store::Role::kAdmin) return caller;
  core::MutexLock lock(mu_);
  sessions_.erase(h);
  return std::nullopt;
}

bool SessionStore::forget(std::string_view token) {
  core::MutexLock lock(mu_);
  return sessions_.erase(hash(token)) > 0;
}

std::size_t SessionStore::size() const {
  core::MutexLock lock(mu_);
  return sessions_.size();
}

std::string SessionStore::cookie_for(std::string_view token) const {
  std::string c(kSessionCookie);
  c.append("=").append(token).append("; HttpOnly; SameSite=Strict; Path=/; Max-Age=");
  c += std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.ttl).count());
  if (options_.secure_cookie) c += "; Secure";
  return c;
}

std::string SessionStore::expired_cookie() const {
  std::string c(kSessionCookie);
  c += "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
  if (options_.secure_cookie) c += "; Secure";
  return c;
}

}  // namespace gaia::identity
