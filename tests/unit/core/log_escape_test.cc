#include "core/log_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace gaia::core {
namespace {

using namespace std::string_literals;

std::string escaped(std::string_view text) {
  std::string out;
  append_log_escaped(out, text);
  return out;
}

TEST(LogEscapeTest, AForgedLineStaysOnTheLineItWasWrittenIn) {
  EXPECT_EQ(escaped("rule\n[INFO] Shutting down\r\n"), "rule\\n[INFO] Shutting down\\r\\n");
}

TEST(LogEscapeTest, TerminalEscapesAndOtherControlBytesAreShownByValue) {
  EXPECT_EQ(escaped("\x1b[31mred\x1b[0m\x7f\0"s), "\\x1b[31mred\\x1b[0m\\x7f\\x00");
}

TEST(LogEscapeTest, Utf8StaysAndStrayBytesAreShownByValue) {
  EXPECT_EQ(escaped("✓ ok \xff\xc3"), "✓ ok \\xff\\xc3");
}

TEST(LogEscapeTest, ABackslashIsDoubledSoAnEscapeCannotBeForged) {
  EXPECT_EQ(escaped("a\\nb"), "a\\\\nb");
}

}  // namespace
}  // namespace gaia::core
