#include "core/capped_text.h"

#include <sodium.h>

#include <array>
#include <cassert>

namespace gaia::core {
namespace {

std::string sha256_hex(std::string_view text) {
  // SHA-256 needs no initialisation of libsodium (no CPU dispatch, no randomness).
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0xf];
  }
  return hex;
}

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

}  // namespace

std::string capped_text(std::string_view text, size_t max_bytes) {
  assert(max_bytes >= kMinTextCap);
  if (text.size() <= max_bytes) return std::string(text);
  const std::string marker =
      "\u2026 [" + std::to_string(text.size()) + " bytes, sha256 " + sha256_hex(text) + "]";
  size_t cut = max_bytes - marker.size();
  // Never split a character: back up to the start of the one the cut falls in.
  while (cut > 0 && continuation_byte(text[cut])) --cut;
  std::string out;
  out.reserve(cut + marker.size());
  out.append(text.substr(0, cut));
  out += marker;
  return out;
}

}  // namespace gaia::core
