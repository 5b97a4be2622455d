// JSON text on the wire: plain decimal numbers, escaped strings, read back by Boost.JSON.

#include "http/json_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <limits>
#include <string>

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

TEST(JsonTextTest, UnsignedAndSignedExtremesAreExact) {
  EXPECT_EQ(json_text(boost::json::value(std::numeric_limits<uint64_t>::max())),
            "18446744073709551615");
  EXPECT_EQ(json_text(boost::json::value(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
}

}  // namespace
}  // namespace gaia::http
