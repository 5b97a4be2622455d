#include "identity/key_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    // 0600 from the first byte: the secret is never readable by others, not even briefly.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const auto size = static_cast<ssize_t>(hasher.secret_.size());
    const bool written = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
                         ::write(fd, hasher.secret_.data(), hasher.secret_.size()) == size;
    if (fd >= 0) ::close(fd);
    if (!written) return core::Status::unavailable("cannot write key secret " + tmp);
  }
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
