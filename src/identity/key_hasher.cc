#include "identity/key_hasher.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace gaia::identity {

core::Result<KeyHasher> KeyHasher::from_file(const std::string& path) {
  if (sodium_init() < 0) return core::Status::internal("libsodium failed to initialise");
  KeyHasher hasher;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    in.read(reinterpret_cast<char*>(hasher.secret_.data()), hasher.secret_.size());
    if (in.gcount() != static_cast<std::streamsize>(hasher.secret_.size())) {
      return core::Status::invalid_argument("key secret " + path + " is truncated");
    }
    return hasher;
  }
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  randombytes_buf(hasher.secret_.data(), hasher.secret_.size());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(hasher.secret_.data()), hasher.secret_.size());
    out.flush();
    if (!out) return core::Status::unavailable("cannot write key secret " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return core::Status::unavailable("cannot create key secret " + path + ": " + ec.message());
  return hasher;
}

store::KeyHash KeyHasher::hash(std::string_view key) const {
  store::KeyHash out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), secret_.data(), secret_.size());
  return out;
}

std::string KeyHasher::generate_key() {
  if (sodium_init() < 0) return {};
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char encoded[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string("gaia_") + encoded;
}

}  // namespace gaia::identity
