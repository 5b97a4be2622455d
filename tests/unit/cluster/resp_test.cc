#include "cluster/redis/resp.h"

#include <gtest/gtest.h>

#include <string>

namespace gaia::cluster::redis {
namespace {

using Kind = Reply::Kind;

TEST(RespTest, EncodesACommandAsAnArrayOfBulkStrings) {
  std::string out;
  append_command({"SET", "k", std::string("a\0b", 3)}, out);
  EXPECT_EQ(out, std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n", 29));
}

TEST(RespTest, DecodesEveryKindOfReplyInOrder) {
  ReplyReader reader;
  reader.feed("+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$1\r\nx\r\n");
  Reply r;
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  EXPECT_EQ(r.kind, Kind::kStatus);
  EXPECT_EQ(r.str, "OK");
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  EXPECT_EQ(r.kind, Kind::kError);
  EXPECT_EQ(r.str, "ERR bad");
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  EXPECT_EQ(r.kind, Kind::kInteger);
  EXPECT_EQ(r.integer, 42);
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  EXPECT_EQ(r.kind, Kind::kString);
  EXPECT_EQ(r.str, "hello");
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  EXPECT_EQ(r.kind, Kind::kNil);
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  ASSERT_EQ(r.kind, Kind::kArray);
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[0].integer, 1);
  ASSERT_EQ(r.elements[1].elements.size(), 1u);
  EXPECT_EQ(r.elements[1].elements[0].str, "x");
  EXPECT_EQ(reader.next(r), ReplyReader::Next::kNeedMore);
}

TEST(RespTest, WaitsForAReplySplitAcrossReads) {
  ReplyReader reader;
  Reply r;
  reader.feed("*2\r\n$3\r\nab");
  EXPECT_EQ(reader.next(r), ReplyReader::Next::kNeedMore);
  reader.feed("c\r\n:7");
  EXPECT_EQ(reader.next(r), ReplyReader::Next::kNeedMore);
  reader.feed("\r\n");
  ASSERT_EQ(reader.next(r), ReplyReader::Next::kReply);
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[0].str, "abc");
  EXPECT_EQ(r.elements[1].integer, 7);
}

TEST(RespTest, StopsForGoodOnBytesThatAreNotResp) {
  ReplyReader reader;
  Reply r;
  reader.feed("?what\r\n+OK\r\n");
  EXPECT_EQ(reader.next(r), ReplyReader::Next::kProtocolError);
  EXPECT_FALSE(reader.error().empty());
  EXPECT_EQ(reader.next(r), ReplyReader::Next::kProtocolError);
}

TEST(RespTest, RefusesAnArrayLargerThanItsBound) {
  ReplyReader reader;
  Reply r;
  reader.feed("*" + std::to_string(ReplyReader::kMaxArrayElements + 1) + "\r\n");
  EXPECT_EQ(reader.next(r), ReplyReader::Next::kProtocolError);
}

TEST(RespTest, RefusesArraysNestedTooDeep) {
  Reply r;
  ReplyReader deep;
  std::string nested;
  for (int i = 0; i < 20; ++i) nested += "*1\r\n";
  deep.feed(nested + ":1\r\n");
  EXPECT_EQ(deep.next(r), ReplyReader::Next::kProtocolError);
}

}  // namespace
}  // namespace gaia::cluster::redis
