// Request bodies read as JSON: each body on its own, whatever the thread parsed before.

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
