#pragma once
// Capped text: what Gaia keeps and shows of text that came from outside (a command, a
// reason) is at most a fixed number of bytes, so that one request's size never becomes
// storage, memory or bandwidth for everyone. A longer text is kept as a prefix of itself plus
// the length and SHA-256 of the whole, so that equal texts still read as equal and the
// prefix says what it was. Pure; any thread.
//
// Example:
//   capped_text(std::string(65536, 'x'), 1024)
//     == "xxx…xxx… [65536 bytes, sha256 3a5f…]"   // 1024 bytes at most

#include <cstddef>
#include <string>
#include <string_view>

namespace gaia::core {

// What Gaia stores and announces of a command: a prefix of about 1 KiB and a hash of the rest.
inline constexpr size_t kMaxStoredTextBytes = 1024;

// The shortest cap that still holds the marker with the length and hash.
inline constexpr size_t kMinTextCap = 128;

// `text` itself when it has at most `max_bytes` bytes; otherwise its longest prefix that ends
// on a UTF-8 character boundary, then "… [N bytes, sha256 H]" (N the whole text's length, H
// its SHA-256 in hex), max_bytes bytes at most. Capping a capped text changes nothing.
// REQUIRES: max_bytes >= kMinTextCap.
std::string capped_text(std::string_view text, size_t max_bytes = kMaxStoredTextBytes);

}  // namespace gaia::core
