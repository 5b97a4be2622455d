#include "cli/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gaia::cli {
namespace {

std::vector<std::string> split(const std::vector<std::string_view>& pieces, bool finish = true) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  auto add = [&lines](std::string_view line) { lines.emplace_back(line); };
  for (std::string_view piece : pieces) EXPECT_TRUE(splitter.feed(piece, add).ok());
  if (finish) splitter.finish(add);
  return lines;
}

using Lines = std::vector<std::string>;

constexpr std::string_view kStream =
    "{\"event\":\"queued\",\"position\":2}\n{\"event\":\"started\"}\n\n"
    "{\"event\":\"stdout\",\"data\":\"hi\\n\"}\r\n{\"event\":\"exited\"}";
const Lines kLines = {"{\"event\":\"queued\",\"position\":2}", "{\"event\":\"started\"}", "",
                      "{\"event\":\"stdout\",\"data\":\"hi\\n\"}\r", "{\"event\":\"exited\"}"};

TEST(LineSplitterTest, HandsOverCompleteLinesAndKeepsThePartialOne) {
  EXPECT_EQ(split({kStream}, false), Lines(kLines.begin(), kLines.end() - 1));
  EXPECT_EQ(split({kStream}), kLines);
}

TEST(LineSplitterTest, GivesTheSameLinesWhereverTheStreamIsSplit) {
  for (size_t i = 0; i <= kStream.size(); ++i) {
    for (size_t j = i; j <= kStream.size(); ++j) {
      EXPECT_EQ(split({kStream.substr(0, i), kStream.substr(i, j - i), kStream.substr(j)}), kLines)
          << "split at " << i << " and " << j;
    }
  }
}

TEST(LineSplitterTest, HandsOverEachLineAsSoonAsItsNewlineArrives) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  auto add = [&lines](std::string_view line) { lines.emplace_back(line); };
  ASSERT_TRUE(splitter.feed("ab", add).ok());
  EXPECT_TRUE(lines.empty());
  EXPECT_EQ(splitter.pending(), 2u);
  ASSERT_TRUE(splitter.feed("c\nd", add).ok());
  EXPECT_EQ(lines, Lines{"abc"});
  ASSERT_TRUE(splitter.feed("\n", add).ok());
  EXPECT_EQ(lines, (Lines{"abc", "d"}));
  EXPECT_EQ(splitter.pending(), 0u);
  splitter.finish(add);  // nothing held: nothing more
  EXPECT_EQ(lines.size(), 2u);
}

TEST(LineSplitterTest, RefusesALineLongerThanItsBound) {
  LineSplitter splitter(4);
  std::vector<std::string> lines;
  auto add = [&lines](std::string_view line) { lines.emplace_back(line); };
  EXPECT_TRUE(splitter.feed("abcd\nab", add).ok());
  EXPECT_FALSE(splitter.feed("cde\n", add).ok());
  EXPECT_EQ(lines, Lines{"abcd"});
  EXPECT_EQ(splitter.pending(), 0u);
}

}  // namespace
}  // namespace gaia::cli
