#include "core/text_check.h"

#include <gtest/gtest.h>

#include <string>

namespace gaia::core {
namespace {

using namespace std::string_literals;

TEST(TextCheckTest, KeepsUtf8TextWithControlCharacters) {
  EXPECT_EQ(text_problem(""), nullptr);
  EXPECT_EQ(text_problem("ls -la\n\techo ünïcödé ✓ 𝄞"), nullptr);
}

TEST(TextCheckTest, RefusesANulByteAnywhere) {
  EXPECT_STREQ(text_problem("x\0y"s), "contains a NUL byte");
  EXPECT_STREQ(text_problem("\0"s), "contains a NUL byte");
}

TEST(TextCheckTest, RefusesMalformedUtf8) {
  for (const std::string& bad :
       {"\xff"s, "\xc0\xaf"s /* overlong '/' */,
        "\xed\xa0\x80"s
        /* surrogate */,
        "\xf4\x90\x80\x80"s /* past U+10FFFF */, "\xe2\x9c"s /* cut short */, "a\x80"s}) {
    EXPECT_STREQ(text_problem(bad), "is not valid UTF-8") << bad;
  }
}

}  // namespace
}  // namespace gaia::core
