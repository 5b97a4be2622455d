#pragma once
// API keys: 256 random bits from libsodium's CSPRNG, shown once, stored only as a keyed
// BLAKE2b hash (crypto_generichash). Keys are random, so a fast hash is as strong as a slow
// one here and keeps the request path cheap; the hashing secret lives outside the database,
// so a copy of the database alone does not let anyone test guesses.
// Thread-safe after construction.

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/user_key_store.h"

namespace gaia::identity {

class KeyHasher {
 public:
  // Reads the secret from `path`, creating it (mode 0600, with its directory) if absent.
  static core::Result<KeyHasher> from_file(const std::string& path);

  store::KeyHash hash(std::string_view key) const;
  // A new key: "gaia_" and 43 URL-safe base64 characters.
  static std::string generate_key();

 private:
  std::array<unsigned char, crypto_generichash_KEYBYTES> secret_{};
};

}  // namespace gaia::identity
