#pragma once
// SessionStore: the dashboard's sign-in sessions, in memory. An admin signs in with an API key
// (POST /api/admin/session) and gets a cookie `gaia_session` holding 32 random bytes
// (base64url); the store keeps only a BLAKE2b hash of it (crypto_generichash), compares in
// constant time, and forgets it at sign-out or expiry. A restart signs everyone out.
//
// A session lasts `ttl` from sign-in, whatever its use, and no longer than the admin key it
// was opened with: it holds the key's id, and every find() asks the Directory for that key's
// caller as it is now, so a session whose key was revoked, demoted from admin or whose user
// was deleted ends at its very next request. Sessions live in one process: behind several
// servers a browser needs sticky routing (or signs in again).
//
// The store attaches itself to a Directory, so that authenticate() (api_support.h) can find it
// for a request with the cookie; at most one store per Directory.
// Threads: every method may be called from any thread.

#include <sodium.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "core/mutex.h"
#include "identity/directory.h"

namespace gaia::identity {

struct SessionOptions {
  std::chrono::milliseconds ttl = std::chrono::hours(12);
  bool secure_cookie = false;         // add `Secure` (set when clients reach Gaia over HTTPS)
  std::size_t max_sessions = 10'000;  // past it, the session closest to expiry is dropped
};

inline constexpr std::string_view kSessionCookie = "gaia_session";
// The header a cookie-authenticated request other than GET or HEAD must carry (CSRF guard).
inline constexpr std::string_view kCsrfHeader = "X-Gaia-Request";

class SessionStore {
 public:
  // `clock` and `directory` must outlive the store.
  SessionStore(const core::Clock& clock, const Directory& directory, SessionOptions options);
  ~SessionStore();  // detaches from the directory
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // A new session for `caller`'s key; returns the token, shown only to the client (in the
  // cookie).
  std::string create(const Caller& caller);
  // The caller of a live session as the directory knows its key now, or nullopt if the token
  // is unknown or expired, or the key is no longer a live admin key (the session then ends).
  std::optional<Caller> find(std::string_view token) const;
  // Forgets the session; false if there was none.
  bool forget(std::string_view token);
  std::size_t size() const;

  // The Set-Cookie value that gives the client `token` / that makes it drop the cookie.
  std::string cookie_for(std::string_view token) const;
  std::string expired_cookie() const;

  // The store attached to `directory`, or nullptr.
  static const SessionStore* of(const Directory& directory);

 private:
  using Hash = std::array<unsigned char, crypto_generichash_BYTES>;
  struct Session {
    uint64_t key_id;
    core::MonoTime expires;
  };
  static Hash hash(std::string_view token);
  void evict_locked(core::MonoTime now) REQUIRES(mu_);

  const core::Clock& clock_;
  const Directory& directory_;
  const SessionOptions options_;
  mutable core::Mutex mu_;
  mutable std::map<Hash, Session> sessions_ GUARDED_BY(mu_);  // expired ones erased on sight
};

}  // namespace gaia::identity
