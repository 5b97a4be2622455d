// Query parameters and path parameters as handlers see them: decoded by Boost.URL.

#include "http/query.h"

#include <gtest/gtest.h>

namespace gaia::http {
namespace {

TEST(QueryParamTest, ValuesArePercentDecodedWithPlusAsSpace) {
  EXPECT_EQ(query_param("user=eve.o%40x.org&x=1", "user"), "eve.o@x.org");
  EXPECT_EQ(query_param("q=a+b%2Bc", "q"), "a b+c");
  EXPECT_EQ(query_param("q=a%40b+c&x=1", "x"), "1");
}

TEST(QueryParamTest, NamesArePercentDecodedToo) {
  EXPECT_EQ(query_param("%75ser=eve", "user"), "eve");
}

TEST(QueryNamesTest, EveryNameIsDecodedInOrder) {
  EXPECT_EQ(query_names("ap%69_key=x&a+b&%75ser=eve&x=1&x=2"),
            (std::vector<std::string>{"api_key", "a b", "user", "x", "x"}));
  EXPECT_TRUE(query_names("").empty());
  EXPECT_TRUE(query_names("q=%zz").empty());
}

TEST(QueryParamTest, AnEmptyOrMissingValueIsAbsent) {
  EXPECT_EQ(query_param("q=&x=1", "q"), std::nullopt);
  EXPECT_EQ(query_param("q&x=1", "q"), std::nullopt);
  EXPECT_EQ(query_param("x=1", "q"), std::nullopt);
  EXPECT_EQ(query_param("", "q"), std::nullopt);
}

TEST(QueryParamTest, AMalformedEscapeIsNoValue) {
  // The router refuses such a query with 400 before a handler could ask.
  EXPECT_EQ(query_param("q=%zz", "q"), std::nullopt);
}

// A query is often a view into a longer text: what follows it is not read.
TEST(QueryParamTest, AViewIsReadToItsEndAndNoFurther) {
  const std::string text = "to=5 and more";
  EXPECT_EQ(query_param(std::string_view(text).substr(0, 4), "to"), "5");
  EXPECT_EQ(query_param(std::string_view(text).substr(0, 0), "to"), std::nullopt);
}

}  // namespace
}  // namespace gaia::http
