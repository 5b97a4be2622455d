// Request bodies read as JSON: each body on its own, whatever the thread parsed before; one
// that names a member twice, or holds a number past a double's range, refused naming where.

#include <gtest/gtest.h>

#include <thread>

#include "api/api_support.h"

namespace gaia::api {
namespace {

http::Request json_request(std::string body) {
  http::Request req;
  req.method = "POST";
  req.path = "/api/v1/check";
  req.headers.push_back({"Content-Type", "application/json"});
  req.body = std::move(body);
  return req;
}

// The body's 400, or "" when it parsed; `parsed` gets the text of what it parsed.
std::string refusal_of(const std::string& body, std::string* parsed = nullptr) {
  auto v = parse_json(json_request(body));
  if (auto* r = std::get_if<http::Response>(&v)) return r->body;
  if (parsed) *parsed = boost::json::serialize(std::get<boost::json::value>(v));
  return "";
}

TEST(JsonBodyTest, ABodyAfterABrokenOneIsReadOnItsOwn) {
  for (int round = 0; round < 3; ++round) {
    EXPECT_NE(refusal_of(R"({"type":["shell",)").find("not valid JSON"), std::string::npos);
    std::string parsed;
    EXPECT_EQ(refusal_of(R"({"type":"shell","cost":2})", &parsed), "");
    EXPECT_EQ(parsed, R"({"type":"shell","cost":2})");
    EXPECT_NE(refusal_of(R"({"a":1} trailing)").find("not valid JSON"), std::string::npos);
    EXPECT_EQ(refusal_of("[1,[2,[3]]]", &parsed), "");
    EXPECT_EQ(parsed, "[1,[2,[3]]]");
  }
}

// The field and message of the body's 400.
std::pair<std::string, std::string> field_refused(const std::string& body) {
  auto v = parse_json(json_request(body));
  auto* r = std::get_if<http::Response>(&v);
  if (r == nullptr) return {};
  EXPECT_EQ(r->status, 400);
  const boost::json::object problem = boost::json::parse(r->body).as_object();
  return {std::string(problem.at("field").as_string()),
          std::string(problem.at("message").as_string())};
}

TEST(JsonBodyTest, AMemberNamedTwiceIsRefusedWhereverItIs) {
  using Refusal = std::pair<std::string, std::string>;
  const std::string twice = "is given more than once";
  EXPECT_EQ(field_refused(R"({"amount":1,"type":"shell","amount":1000})"),
            Refusal("amount", twice));
  EXPECT_EQ(
      field_refused(R"({"limits":[{"period":"day"},{"period":"day","amount":2,"period":"week"}]})"),
      Refusal("limits[1].period", twice));
  EXPECT_EQ(field_refused(R"({"a":{"b":{"c":1,"c":1}}})"), Refusal("a.b.c", twice));
  EXPECT_EQ(field_refused(R"([[1],{"x":[],"x":[]}])"), Refusal("[1].x", twice));
  // The same name written with an escape is the same name.
  EXPECT_EQ(field_refused(R"({"type":"shell","t\u0079pe":"admin"})"), Refusal("type", twice));
  // The same name in different objects, or a name with a common start, is no repeat.
  std::string parsed;
  EXPECT_EQ(refusal_of(R"({"a":{"n":1},"b":{"n":2},"n":[{"n":3},{"n":4}],"nn":5})", &parsed), "");
  EXPECT_EQ(parsed, R"({"a":{"n":1},"b":{"n":2},"n":[{"n":3},{"n":4}],"nn":5})");
}

TEST(JsonBodyTest, ANumberPastADoublesRangeIsRefusedWhereverItIs) {
  using Refusal = std::pair<std::string, std::string>;
  const std::string finite = "must be a finite number";
  // Read plainly these are infinity and NaN (zero times an infinite power of ten).
  EXPECT_EQ(field_refused(R"({"cost":1e400})"), Refusal("cost", finite));
  EXPECT_EQ(field_refused(R"({"priority":-1E309})"), Refusal("priority", finite));
  EXPECT_EQ(field_refused(R"({"limits":[{"amount":1},{"amount":0E87780}]})"),
            Refusal("limits[1].amount", finite));
  EXPECT_EQ(field_refused(R"([1,[2,1e999]])"), Refusal("[1][1]", finite));
  EXPECT_EQ(field_refused("1e400"), Refusal("body", finite));
  // The largest and smallest doubles, and a number too small to hold, which reads as 0, stand.
  std::string parsed;
  EXPECT_EQ(
      refusal_of(R"({"a":1.7976931348623157e308,"b":-1.7976931348623157e308,"c":1e-400})", &parsed),
      "");
  EXPECT_EQ(boost::json::parse(parsed).at("c").as_double(), 0.0);
}

TEST(JsonBodyTest, AManyMemberBodyWithOneRepeatAtTheEndIsRefused) {
  std::string body = "{";
  for (int i = 0; i < 20000; ++i)
    body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  body += "\"k19999\":0}";
  EXPECT_EQ(field_refused(body).first, "k19999");
  body.replace(body.rfind("k19999"), 6, "k20000");
  EXPECT_EQ(refusal_of(body), "");
}

TEST(JsonBodyTest, ThreadsParseTheirBodiesApart) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 500; ++i) {
        const std::string body = R"({"n":)" + std::to_string(t * 1000 + i) + "}";
        std::string parsed;
        if (refusal_of(body, &parsed) != "" || parsed != body) ++wrong[t];
        if (refusal_of(R"({"n":)") == "") ++wrong[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace gaia::api
