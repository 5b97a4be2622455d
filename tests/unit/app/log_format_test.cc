#include "app/log_format.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/log_sink.h"
#include "support/temp_dir.h"

namespace gaia::app {
namespace {

using namespace std::chrono_literals;

// 2026-12-06T15:38:22.123Z
const std::chrono::system_clock::time_point kAt =
    std::chrono::system_clock::time_point(1796571502s + 123ms);

std::string formatted(LogFormat format, const char* logger, spdlog::level::level_enum level,
                      std::string_view text) {
  spdlog::details::log_msg msg(logger, level, text);
  msg.time = kAt;
  spdlog::memory_buf_t out;
  LogFormatter(format).format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(LogFormatTest, TextIsTimeTagAndEscapedMessage) {
  EXPECT_EQ(formatted(LogFormat::kText, "", spdlog::level::warn, "accept failed: x"),
            "2026-12-06T15:38:22.123Z [WARN] accept failed: x\n");
  EXPECT_EQ(formatted(LogFormat::kText, "INIT", spdlog::level::info, "✓ Store"),
            "2026-12-06T15:38:22.123Z [INIT] ✓ Store\n");
  // A value cannot forge a second line or colour a terminal.
  EXPECT_EQ(formatted(LogFormat::kText, "", spdlog::level::err, "a\n[INFO] b\x1b[31m"),
            "2026-12-06T15:38:22.123Z [ERROR] a\\n[INFO] b\\x1b[31m\n");
}

TEST(LogFormatTest, JsonIsOneObjectPerLineWithEveryFieldEscaped) {
  const std::string line =
      formatted(LogFormat::kJson, "ALERT", spdlog::level::warn, "say \"hi\"\nnext\\");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(boost::json::parse(line), (boost::json::object{{"time", "2026-12-06T15:38:22.123Z"},
                                                           {"level", "warn"},
                                                           {"tag", "ALERT"},
                                                           {"msg", "say \"hi\"\\nnext\\\\"}}));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LogSinkTest, AFloodOfOneKindIsCutToItsRateAndToldOnceTheSecondIsOver) {
  testing::TempDir dir;
  const std::string path = dir.file("access.log");
  {
    auto sink = LogSink::open_file(path, 2);
    ASSERT_TRUE(sink.ok());
    for (int i = 0; i < 5; ++i) {
      // log_msg holds a view: the text must outlive it.
      const std::string text = "refused: user " + std::to_string(i);
      spdlog::details::log_msg msg("", spdlog::level::warn, text);
      msg.time = kAt;
      sink.value()->log(msg);
    }
    spdlog::details::log_msg later("", spdlog::level::info, "next second");
    later.time = kAt + 1s;
    sink.value()->log(later);
  }
  EXPECT_EQ(read_file(path),
            "2026-12-06T15:38:22.123Z [WARN] refused: user 0\n"
            "2026-12-06T15:38:22.123Z [WARN] refused: user 1\n"
            "2026-12-06T15:38:23.123Z [WARN] suppressed 3 lines of [WARN] refused in the last "
            "second\n"
            "2026-12-06T15:38:23.123Z [INFO] next second\n");
}

}  // namespace
}  // namespace gaia::app
