#pragma once
// TrustedPeers: the addresses whose connections may name a principal by user name (a `user`
// descriptor entry) rather than by API key: the gateways the operator runs. From the
// rls_trusted_peers setting, a comma-separated list of IPv4/IPv6 addresses and prefixes:
//
//   127.0.0.1, 10.0.0.0/8, ::1
//
// Empty: no connection is trusted. Immutable after parse; any thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::rls {

class TrustedPeers {
 public:
  TrustedPeers() = default;

  // The list `text` describes, or kInvalidArgument naming the entry that is not an address.
  static core::Result<TrustedPeers> parse(std::string_view text);

  // Whether `peer`, as gRPC names it ("ipv4:10.1.2.3:5000", "ipv6:[::1]:5000", possibly with
  // the brackets %-encoded), is inside one of the prefixes. Anything else (unix sockets) is not.
  bool trusts(std::string_view peer) const;

  bool empty() const { return prefixes_.empty(); }

 private:
  struct Prefix {
    std::array<uint8_t, 16> bytes{};  // IPv4 as its IPv4-mapped IPv6 address
    int bits = 128;
  };

  std::vector<Prefix> prefixes_;
};

}  // namespace gaia::rls
