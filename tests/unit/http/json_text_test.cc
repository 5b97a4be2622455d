// JSON text on the wire: plain decimal numbers, escaped strings, read back by Boost.JSON.

#include "http/json_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <limits>
#include <string>

#include "http/message.h"

namespace gaia::http {
namespace {

TEST(JsonTextTest, DoublesArePlainDecimals) {
  EXPECT_EQ(json_text(boost::json::value(70.0)), "70.0");
  EXPECT_EQ(json_text(boost::json::value(0.35)), "0.35");
  EXPECT_EQ(json_text(boost::json::value(-12.5)), "-12.5");
  EXPECT_EQ(json_text(boost::json::value(1e21)), "1000000000000000000000.0");
  EXPECT_EQ(json_text(boost::json::value(0.0001)), "0.0001");
}

TEST(JsonTextTest, ADoubleReadsBackAsTheSameDouble) {
  for (double d : {0.1, 1.0 / 3, 12345.678901234567, 5e-324, 1.7976931348623157e308}) {
    const std::string text = json_text(d);
    EXPECT_EQ(text.find_first_of("eE"), std::string::npos) << text;
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
  }
}

TEST(JsonTextTest, ANumberJsonCannotCarryIsNull) {
  EXPECT_EQ(json_text(boost::json::value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(json_text(boost::json::value(std::numeric_limits<double>::quiet_NaN())), "null");
}

TEST(JsonTextTest, StringsAreEscapedAndObjectsKeepTheirOrder) {
  const boost::json::value v = {{"b", "q\"uote\\\n\x01"}, {"a", {1, -2, true, nullptr}}};
  EXPECT_EQ(json_text(v), R"({"b":"q\"uote\\\n\u0001","a":[1,-2,true,null]})");
  EXPECT_EQ(boost::json::parse(json_text(v)), v);
}

// Strings are scanned eight bytes at a time: each byte JSON escapes, at every place in texts
// of every length around a block, with bytes of UTF-8 (>= 0x80) and DEL next to it.
TEST(JsonTextTest, EveryByteToEscapeIsFoundWhereverItSits) {
  const std::string specials = std::string("\"\\\n\r\t\x01\x1f", 7) + '\0';
  for (size_t length = 1; length <= 20; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (char special : specials) {
        std::string text(length, 'z');
        for (size_t i = 0; i < length; i += 2) text[i] = '\x7f';
        text[at] = special;
        text += "\xc3\xa9";  // é
        const boost::json::value v(text);
        EXPECT_EQ(boost::json::parse(json_text(v)), v) << length << " " << at;
        EXPECT_EQ(json_text(v), boost::json::serialize(v)) << length << " " << at;
      }
    }
  }
}

TEST(JsonTextTest, UnsignedAndSignedExtremesAreExact) {
  EXPECT_EQ(json_text(boost::json::value(std::numeric_limits<uint64_t>::max())),
            "18446744073709551615");
  EXPECT_EQ(json_text(boost::json::value(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
}

// The text is written through a pointer into room it grows as it goes: a text far past the
// first room, of strings that all escape, comes out whole; appended text keeps what was there.
TEST(JsonTextTest, ATextPastItsFirstRoomAndAfterOtherTextIsWhole) {
  boost::json::array items;
  for (int i = 0; i < 2000; ++i) {
    items.emplace_back(std::string(static_cast<size_t>(i % 50), '\x01'));
    items.emplace_back(i * 0.5);
    items.emplace_back(
        boost::json::object{{"n", i}, {"q", std::string(static_cast<size_t>(i % 9), '"')}});
  }
  const boost::json::value v(std::move(items));
  const std::string text = json_text(v);
  EXPECT_EQ(boost::json::parse(text), v);
  EXPECT_GT(text.size(), 100'000u);

  std::string out = "data: ";
  append_json_text(out, v);
  EXPECT_EQ(out, "data: " + text);
  append_json_text(out, boost::json::value("\n"));
  EXPECT_EQ(out, "data: " + text + R"("\n")");
}

// What a JsonWriter states is the text of the tree stated in the same order: commas between
// members and items at every depth, nested objects and arrays, embedded trees, every kind.
TEST(JsonWriterTest, WritesTheTextOfTheSameTree) {
  const boost::json::value tree = {{"allowed", true},
                                   {"name", "q\"uote\n"},
                                   {"limit", {{"used", 3}, {"left", -4}, {"pct", 70.0}}},
                                   {"empty", boost::json::object()},
                                   {"list", boost::json::array{"a", "b"}},
                                   {"rows", {{{"n", 1}}, {{"n", 2}}}},
                                   {"none", nullptr},
                                   {"embedded", {{"x", {1, 2.5, false}}}}};
  std::string text = "prefix:";
  {
    JsonWriter w(text);
    w.begin_object();
    w.member("allowed", true);
    w.member("name", "q\"uote\n");
    w.object("limit", [](auto& o) {
      o.member("used", 3u);
      o.member("left", int64_t{-4});
      o.member("pct", 70.0);
    });
    w.object("empty", [](auto&) {});
    w.member("list", {"a", "b"});
    w.key("rows");
    w.begin_array();
    for (int n : {1, 2}) {
      w.begin_object();
      w.member("n", n);
      w.end_object();
    }
    w.end_array();
    w.member("none", boost::json::value());
    w.member("embedded", tree.at("embedded").get_object());
    w.end_object();
  }
  EXPECT_EQ(text, "prefix:" + json_text(tree));
}

// Members stated once build the same object in either form.
TEST(JsonWriterTest, MembersStatedOnceBuildTheTreeOrTheText) {
  const boost::json::object tree = problem(429, "limit_exceeded", "limit \"x\" reached");
  std::string text;
  {
    JsonWriter w(text);
    w.begin_object();
    problem_members(w, 429, "limit_exceeded", "limit \"x\" reached");
    w.end_object();
  }
  EXPECT_EQ(text, object_json_text(tree));

  boost::json::object built;
  ObjectMembers members(built);
  members.member("list", {"a", "b"});
  members.object("inner", [](auto& o) { o.member("n", 1); });
  EXPECT_EQ(object_json_text(built), R"({"list":["a","b"],"inner":{"n":1}})");
}

}  // namespace
}  // namespace gaia::http
