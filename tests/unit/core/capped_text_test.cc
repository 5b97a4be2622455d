#include "core/capped_text.h"

#include <gtest/gtest.h>

#include <string>

namespace gaia::core {
namespace {

TEST(CappedTextTest, TextWithinTheCapIsKeptAsItIs) {
  EXPECT_EQ(capped_text("make test"), "make test");
  const std::string exact(kMaxStoredTextBytes, 'a');
  EXPECT_EQ(capped_text(exact), exact);
}

TEST(CappedTextTest, LongerTextIsAPrefixThenItsLengthAndSha256WithinTheCap) {
  const std::string text = "rm " + std::string(65'533, 'x');
  const std::string capped = capped_text(text);
  EXPECT_LE(capped.size(), kMaxStoredTextBytes);
  EXPECT_TRUE(capped.starts_with("rm xxxx"));
  // SHA-256 of the whole text, so equal texts stay equal and different ones differ.
  EXPECT_TRUE(
      capped.ends_with("\xe2\x80\xa6 [65536 bytes, sha256 "
                       "55a8057113074c04bca4c789fba3461b3cf47e01ad96dd6381d4c09fcba18a3a]"))
      << capped;
  EXPECT_NE(capped_text(text + "y"), capped);
  EXPECT_EQ(capped_text(text), capped);
}

TEST(CappedTextTest, CappingACappedTextChangesNothing) {
  const std::string capped = capped_text(std::string(5000, 'q'), 200);
  EXPECT_LE(capped.size(), 200u);
  EXPECT_EQ(capped_text(capped, 200), capped);
}

TEST(CappedTextTest, TheCutNeverSplitsAUtf8Character) {
  std::string text;
  while (text.size() < 4000) text += "\xe2\x82\xac";  // the euro sign, three bytes
  const std::string capped = capped_text(text, 300);
  EXPECT_LE(capped.size(), 300u);
  const size_t marker = capped.find("\xe2\x80\xa6 [");
  ASSERT_NE(marker, std::string::npos);
  EXPECT_EQ(marker % 3, 0u) << "the prefix ends inside a character";
}

}  // namespace
}  // namespace gaia::core
