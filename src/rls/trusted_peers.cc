#include "rls/trusted_peers.h"

#include <arpa/inet.h>

#include <charconv>
#include <optional>

#include "core/text.h"

namespace gaia::rls {
namespace {

// `text` as a 16-byte address (IPv4 mapped into IPv6), and whether it was IPv4.
std::optional<std::pair<std::array<uint8_t, 16>, bool>> address_of(std::string_view text) {
  const std::string s(text);
  std::array<uint8_t, 16> out{};
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return std::pair{out, false};
  uint8_t v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) != 1) return std::nullopt;
  out[10] = out[11] = 0xff;
  std::copy(v4, v4 + 4, out.begin() + 12);
  return std::pair{out, true};
}

bool matches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& prefix, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (prefix[i] & mask)) return false;
  }
  return true;
}

}  // namespace

core::Result<TrustedPeers> TrustedPeers::parse(std::string_view text) {
  TrustedPeers peers;
  if (core::trim(text).empty()) return peers;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = core::trim(text.substr(start, end - start));
    start = end + 1;
    const size_t slash = item.find('/');
    auto address = address_of(item.substr(0, slash));
    if (!address) {
      return core::Status::invalid_argument("\"" + std::string(item) +
                                            "\" is not an IPv4 or IPv6 address or prefix");
    }
    Prefix p{address->first, 128};
    if (slash != std::string_view::npos) {
      const std::string_view bits = item.substr(slash + 1);
      int n = -1;
      auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
      const int max = address->second ? 32 : 128;
      if (ec != std::errc() || ptr != bits.data() + bits.size() || n < 0 || n > max) {
        return core::Status::invalid_argument(
            "\"" + std::string(item) + "\": the prefix length must be 0 to " + std::to_string(max));
      }
      p.bits = address->second ? 96 + n : n;
    }
    peers.prefixes_.push_back(p);
  }
  return peers;
}

bool TrustedPeers::trusts(std::string_view peer) const {
  std::string_view host;
  if (peer.starts_with("ipv4:")) {
    host = peer.substr(5, peer.rfind(':') - 5);
  } else if (peer.starts_with("ipv6:")) {
    std::string_view rest = peer.substr(5);
    for (std::string_view open : {"[", "%5B", "%5b"}) {
      if (!rest.starts_with(open)) continue;
      rest.remove_prefix(open.size());
      const size_t close = std::min(rest.find(']'), rest.find('%'));
      host = rest.substr(0, close);
    }
  }
  if (host.empty()) return false;
  auto address = address_of(host);
  if (!address) return false;
  for (const Prefix& p : prefixes_) {
    if (matches(address->first, p.bytes, p.bits)) return true;
  }
  return false;
}

}  // namespace gaia::rls
