#include "cli/chunked_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gaia::cli {
namespace {

// Feeds `pieces` in order; the decoded body, or "ERROR: message".
std::string decode(const std::vector<std::string_view>& pieces, bool* done = nullptr) {
  ChunkedDecoder decoder;
  std::string body;
  for (std::string_view piece : pieces) {
    if (core::Status s = decoder.feed(piece, body); !s.ok()) return "ERROR: " + s.message();
  }
  if (done != nullptr) *done = decoder.done();
  return body;
}

// Two NDJSON events in three chunks, one with an extension, and a trailer field.
constexpr std::string_view kMessage =
    "18\r\n{\"event\":\"started\"}\n{\"ev\r\n"
    "C;name=value\r\nent\":\"std\"}\n\r\n"
    "0\r\nX-Trailer: 1\r\n\r\n";
constexpr std::string_view kBody = "{\"event\":\"started\"}\n{\"event\":\"std\"}\n";

TEST(ChunkedDecoderTest, DecodesAWholeMessage) {
  bool done = false;
  EXPECT_EQ(decode({kMessage}, &done), kBody);
  EXPECT_TRUE(done);
}

TEST(ChunkedDecoderTest, GivesTheSameBodyWhereverTheBytesAreSplit) {
  for (size_t i = 0; i <= kMessage.size(); ++i) {
    for (size_t j = i; j <= kMessage.size(); ++j) {
      bool done = false;
      EXPECT_EQ(
          decode({kMessage.substr(0, i), kMessage.substr(i, j - i), kMessage.substr(j)}, &done),
          kBody)
          << "split at " << i << " and " << j;
      EXPECT_TRUE(done) << i << " " << j;
    }
  }
}

TEST(ChunkedDecoderTest, DecodesOneByteAtATime) {
  ChunkedDecoder decoder;
  std::string body;
  for (size_t i = 0; i < kMessage.size(); ++i) {
    EXPECT_FALSE(decoder.done()) << "done before byte " << i;
    ASSERT_TRUE(decoder.feed(kMessage.substr(i, 1), body).ok()) << i;
  }
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(body, kBody);
}

TEST(ChunkedDecoderTest, IsNotDoneUntilTheLastChunkAndItsEmptyLine) {
  bool done = true;
  EXPECT_EQ(decode({"3\r\nabc\r\n"}, &done), "abc");
  EXPECT_FALSE(done);
  EXPECT_EQ(decode({"3\r\nabc\r\n0\r\n"}, &done), "abc");
  EXPECT_FALSE(done);
  EXPECT_EQ(decode({"3\r\nabc\r\n0\r\n\r\n"}, &done), "abc");
  EXPECT_TRUE(done);
}

TEST(ChunkedDecoderTest, IgnoresBytesAfterTheEnd) {
  bool done = false;
  EXPECT_EQ(decode({"1\r\na\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"}, &done), "a");
  EXPECT_TRUE(done);
}

TEST(ChunkedDecoderTest, ReadsUpperAndLowerCaseHexAndWhitespaceBeforeAnExtension) {
  const std::string sixteen(16, 'x'), big(0xAB, 'y');
  EXPECT_EQ(decode({"10\r\n" + sixteen + "\r\naB \t;ext\r\n" + big + "\r\n0\r\n\r\n"}),
            sixteen + big);
}

TEST(ChunkedDecoderTest, RejectsMalformedFraming) {
  EXPECT_EQ(decode({"zz\r\n"}), "ERROR: bad chunked body: chunk size missing");
  EXPECT_EQ(decode({"\r\n"}), "ERROR: bad chunked body: chunk size missing");
  EXPECT_EQ(decode({"3x\r\n"}), "ERROR: bad chunked body: junk after the chunk size");
  EXPECT_EQ(decode({"3\nabc"}), "ERROR: bad chunked body: line not ended by CRLF");
  EXPECT_EQ(decode({"3\r\nabcd\r\n"}), "ERROR: bad chunked body: chunk longer than its size");
  EXPECT_EQ(decode({"1234567890abcdef\r\n"}), "ERROR: bad chunked body: chunk size too large");
  EXPECT_EQ(decode({"0\r\nno colon\r\n"}), "ERROR: bad chunked body: bad trailer field");
  EXPECT_EQ(decode({"1;" + std::string(9000, 'e')}), "ERROR: bad chunked body: line too long");
}

TEST(ChunkedDecoderTest, StaysBrokenAfterAnError) {
  ChunkedDecoder decoder;
  std::string body;
  EXPECT_FALSE(decoder.feed("zz\r\n", body).ok());
  EXPECT_FALSE(decoder.feed("1\r\na\r\n0\r\n\r\n", body).ok());
  EXPECT_FALSE(decoder.done());
  EXPECT_EQ(body, "");
}

}  // namespace
}  // namespace gaia::cli
