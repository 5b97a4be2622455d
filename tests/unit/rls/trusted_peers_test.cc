#include "rls/trusted_peers.h"

#include <gtest/gtest.h>

namespace gaia::rls {
namespace {

TrustedPeers peers_of(std::string_view text) {
  auto parsed = TrustedPeers::parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed.value() : TrustedPeers{};
}

TEST(TrustedPeersTest, NothingIsTrustedByDefault) {
  TrustedPeers none = peers_of("");
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.trusts("ipv4:127.0.0.1:5000"));
}

TEST(TrustedPeersTest, TrustsAddressesAndPrefixesAsGrpcNamesPeers) {
  TrustedPeers peers = peers_of("127.0.0.2, 10.0.0.0/8, fd00::/8");
  EXPECT_TRUE(peers.trusts("ipv4:127.0.0.2:5000"));
  EXPECT_FALSE(peers.trusts("ipv4:127.0.0.1:5000"));
  EXPECT_TRUE(peers.trusts("ipv4:10.200.3.4:1"));
  EXPECT_FALSE(peers.trusts("ipv4:11.0.0.1:1"));
  EXPECT_TRUE(peers.trusts("ipv6:[fd12::1]:5000"));
  EXPECT_TRUE(peers.trusts("ipv6:%5Bfd12::1%5D:5000"));
  EXPECT_FALSE(peers.trusts("ipv6:[::1]:5000"));
  EXPECT_FALSE(peers.trusts("unix:/tmp/socket"));
  EXPECT_FALSE(peers.trusts("ipv4:not-an-address:1"));
}

TEST(TrustedPeersTest, RefusesWhatIsNotAnAddressNamingIt) {
  for (std::string_view text : {"localhost", "10.0.0.0/33", "::/129", "1.2.3.4/x", "1.2.3.4,"}) {
    auto parsed = TrustedPeers::parse(text);
    EXPECT_FALSE(parsed.ok()) << text;
  }
}

}  // namespace
}  // namespace gaia::rls
