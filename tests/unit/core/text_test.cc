// The small text helpers every parser of outside input shares.

#include "core/text.h"

#include <gtest/gtest.h>

namespace gaia::core {
namespace {

TEST(TextTest, BearerCredentialsTakeTheSchemeInAnyCaseAndOneSpaceOrMore) {
  EXPECT_EQ(bearer_credentials("Bearer k-1"), "k-1");
  EXPECT_EQ(bearer_credentials("bearer k-1"), "k-1");
  EXPECT_EQ(bearer_credentials("BEARER   k-1 "), "k-1");
  EXPECT_EQ(bearer_credentials("Bearer "), "");
  // Another scheme, or no space after the name: not the Bearer scheme at all.
  EXPECT_EQ(bearer_credentials("Basic azox"), std::nullopt);
  EXPECT_EQ(bearer_credentials("Bearerk-1"), std::nullopt);
  EXPECT_EQ(bearer_credentials("Bearer"), std::nullopt);
  EXPECT_EQ(bearer_credentials("Bearer\tk-1"), std::nullopt);
  EXPECT_EQ(bearer_credentials(""), std::nullopt);
}

}  // namespace
}  // namespace gaia::core
