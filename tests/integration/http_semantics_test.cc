// HTTP as HTTP intends, against the real gaia_server over raw sockets: percent-encoded names,
// HEAD, Date, 415 for a body that is not JSON, RFC 9457 problem details, one shape for every
// 429 of a limit, a cost no limit can admit, plain decimal numbers.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "http-semantics-admin-key-0123456789abcdef";

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

class HttpSemanticsTest : public GaiaServerTest {
 protected:
  HttpSemanticsTest() : GaiaServerTest(kAdminKey) {}
  // An idle machine: the load throttle never holds a check (the tests' own load would).
  void SetUp() override { start({"GAIA_PROC_ROOT=" + idle_proc_root()}); }

  RawResponse call(std::string_view method, std::string_view path, std::string_view key = kAdminKey,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  // One request written as given on a fresh connection; HEAD answers are read without a body.
  RawResponse raw(const std::string& request, bool head = false) {
    RawHttpConnection c(port_);
    EXPECT_TRUE(c.send(request));
    auto r =
        c.read_response(head ? RawHttpConnection::Body::kNone : RawHttpConnection::Body::kFramed);
    EXPECT_TRUE(r) << request;
    return r ? *r : RawResponse{};
  }
  // A user whose shell commands are limited to `per_day` a day, and a key of theirs.
  std::string user_with_daily_shell(const std::string& name, int per_day) {
    std::string key = create_user_key(name, R"({"name":")" + name + R"("})");
    auto r = call("PUT", "/api/admin/users/" + name + "/overrides", kAdminKey,
                  R"({"limits":[{"kind":"calendar","period":"day","amount":)" +
                      std::to_string(per_day) + R"(,"type":"shell"}]})");
    EXPECT_EQ(r.status, 200) << r.body;
    return key;
  }
  int64_t shell_used(const std::string& key) {
    const boost::json::value quota = json_of(call("GET", "/api/v1/quota", key));
    for (const auto& line : quota.at("quotas").as_array()) {
      if (line.at("policy") == "shell-day") return line.at("used").as_int64();
    }
    return -1;
  }
};

void expect_problem(const RawResponse& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/problem+json") << r.body;
  const boost::json::object body = boost::json::parse(r.body).as_object();
  for (const char* member : {"type", "title", "status", "detail", "error", "message"}) {
    EXPECT_TRUE(body.contains(member)) << member << " missing in " << r.body;
  }
  EXPECT_EQ(body.at("status"), status);
  EXPECT_EQ(body.at("detail"), body.at("message"));
}

TEST_F(HttpSemanticsTest, AUserNamedWithAnAtIsFoundByItsEncodedName) {
  const std::string key = create_user_key("eve.o@x.org", R"({"name":"eve.o@x.org"})");
  auto user = call("GET", "/api/admin/users/eve.o%40x.org");
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(json_of(user).at("user").at("name"), "eve.o@x.org");

  const std::string bob = create_user_key("bob", R"({"name":"bob"})");
  for (const std::string* k : {&key, &bob}) {
    auto asked = call("POST", "/api/claude/confirm/request", *k, R"({"command":"ls"})");
    ASSERT_EQ(asked.status, 200) << asked.body;
  }
  RawResponse decisions;
  // Decisions are logged off the request path: both show up soon.
  ASSERT_TRUE(eventually(
      [&] {
        decisions = call("GET", "/api/claude/confirm/decisions");
        return json_of(decisions).at("decisions").as_array().size() == 2;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(50)))
      << decisions.body;
  decisions = call("GET", "/api/claude/confirm/decisions?user=eve.o%40x.org");
  ASSERT_EQ(decisions.status, 200) << decisions.body;
  const boost::json::value listed = json_of(decisions);
  const auto& rows = listed.at("decisions").as_array();
  ASSERT_EQ(rows.size(), 1u) << decisions.body;
  EXPECT_EQ(rows[0].at("user"), "eve.o@x.org");
}

TEST_F(HttpSemanticsTest, HeadAnswersAGetRouteWithItsHeadersAndNoBody) {
  auto get = call("GET", "/api/openapi.yaml", "");
  ASSERT_EQ(get.status, 200);
  RawHttpConnection c(port_);
  ASSERT_TRUE(c.send("HEAD /api/openapi.yaml HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = c.read_response(RawHttpConnection::Body::kNone);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-type"], "application/yaml");
  EXPECT_EQ(head->headers["content-length"], std::to_string(get.body.size()));
  // No body followed: the connection's next answer is the next request's.
  ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_TRUE(json_of(*next).is_object());
}

TEST_F(HttpSemanticsTest, EveryAnswerCarriesADate) {
  for (const char* path : {"/health", "/no/such/path", "/api/v1/quota"}) {
    auto r = call("GET", path, "");
    static const std::regex kImfFixdate(
        R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)");
    EXPECT_TRUE(std::regex_match(r.headers["date"], kImfFixdate))
        << path << ": " << r.headers["date"];
  }
}

TEST_F(HttpSemanticsTest, ABodyThatIsNotJsonIsRefusedWith415AndCountsNothing) {
  const std::string key = user_with_daily_shell("alice", 10);
  const std::string body = R"({"type":"shell"})";
  auto r =
      raw("POST /api/v1/check HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer " +
          key + "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body);
  expect_problem(r, 415);
  EXPECT_EQ(json_of(r).at("error"), "unsupported_media_type");
  EXPECT_EQ(r.headers["accept"], "application/json");
  EXPECT_EQ(shell_used(key), 0);
  // The same body labelled as JSON is taken.
  EXPECT_EQ(call("POST", "/api/v1/check", key, body).status, 200);
}

TEST_F(HttpSemanticsTest, AHeaderReadersCouldReadTwoWaysIsRefusedAndCountsNothing) {
  const std::string key = user_with_daily_shell("alice", 10);
  const std::string body = R"({"type":"shell"})";
  const std::string framing =
      "Content-Type: application/json\r\nConnection: close\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  // Which key a reader takes of two depends on the reader: neither is taken.
  auto twice =
      raw("POST /api/v1/check HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer nokey\r\n"
          "Authorization: Bearer " +
          key + "\r\n" + framing);
  expect_problem(twice, 400);
  EXPECT_EQ(json_of(twice).at("message"),
            "malformed HTTP request: the Authorization field is given more than once");
  auto hosts = raw("POST /api/v1/check HTTP/1.1\r\nHost: t\r\nHost: u\r\nAuthorization: Bearer " +
                   key + "\r\n" + framing);
  expect_problem(hosts, 400);
  auto no_host =
      raw("POST /api/v1/check HTTP/1.1\r\nAuthorization: Bearer " + key + "\r\n" + framing);
  expect_problem(no_host, 400);
  EXPECT_EQ(json_of(no_host).at("message"),
            "malformed HTTP request: an HTTP/1.1 request must give the Host field");
  // A body framed two ways, whose end a proxy could place elsewhere (a smuggled request).
  const std::string auth = "Host: t\r\nAuthorization: Bearer " + key + "\r\n";
  expect_problem(raw("POST /api/v1/check HTTP/1.1\r\n" + auth + "Content-Length: 5\r\n" +
                     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                 400);
  expect_problem(raw("POST /api/v1/check HTTP/1.1\r\n" + auth + "Content-Length: 16\r\n" +
                     "Content-Length: 2\r\n\r\n" + body),
                 400);
  // A body coded some other way than chunked alone: not implemented (RFC 9112 section 6.1).
  auto coded = raw("POST /api/v1/check HTTP/1.1\r\n" + auth +
                   "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
  expect_problem(coded, 501);
  EXPECT_EQ(json_of(coded).at("message"), "only the chunked transfer coding is taken");
  EXPECT_EQ(shell_used(key), 0);
  // HTTP/1.0 needs no Host.
  auto old = raw("POST /api/v1/check HTTP/1.0\r\nAuthorization: Bearer " + key + "\r\n" + framing);
  EXPECT_EQ(old.status, 200) << old.body;
  EXPECT_EQ(shell_used(key), 1);
}

TEST_F(HttpSemanticsTest, TheBearerSchemeIsNamedInAnyCase) {
  const std::string key = user_with_daily_shell("alice", 10);
  for (const char* scheme : {"bearer ", "BEARER ", "Bearer   "}) {
    auto r =
        raw("GET /api/v1/quota HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            "Authorization: " +
            std::string(scheme) + key + "\r\n\r\n");
    EXPECT_EQ(r.status, 200) << scheme << ": " << r.body;
  }
  // Another scheme carrying the key is no key.
  auto basic =
      raw("GET /api/v1/quota HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
          "Authorization: Basic " +
          key + "\r\n\r\n");
  expect_problem(basic, 401);
  EXPECT_EQ(basic.headers["www-authenticate"], "Bearer");
}

TEST_F(HttpSemanticsTest, AClientWaitingToSendItsBodyIsToldToGoOn) {
  const std::string key = user_with_daily_shell("alice", 10);
  const std::string body = R"({"type":"shell"})";
  RawHttpConnection c(port_);
  ASSERT_TRUE(c.send("POST /api/v1/check HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + key +
                     "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  // The interim answer comes before any of the body is sent.
  auto go_on = c.read_response(RawHttpConnection::Body::kNone);
  ASSERT_TRUE(go_on);
  EXPECT_EQ(go_on->status, 100);
  ASSERT_TRUE(c.send(body));
  auto answer = c.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(shell_used(key), 1);
}

TEST_F(HttpSemanticsTest, ErrorsAreProblemDetailsKeepingErrorMessageAndField) {
  expect_problem(call("GET", "/no/such/path", ""), 404);
  expect_problem(call("GET", "/api/v1/quota", ""), 401);
  const std::string key = user_with_daily_shell("alice", 10);
  auto bad = call("POST", "/api/v1/check", key, R"({"type":"shell","cost":0})");
  expect_problem(bad, 400);
  EXPECT_EQ(json_of(bad).at("error"), "invalid_request");
  EXPECT_EQ(json_of(bad).at("field"), "cost");
}

TEST_F(HttpSemanticsTest, EveryRefusalByALimitHasOneShape) {
  const std::string key = user_with_daily_shell("alice", 1);
  ASSERT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})").status, 200);
  auto checked = call("POST", "/api/v1/check", key, R"({"type":"shell"})");
  auto ran = call("POST", "/api/v1/exec", key, R"({"type":"shell","argv":["true"]})");
  for (const RawResponse* r : {&checked, &ran}) {
    expect_problem(*r, 429);
    const boost::json::object body = json_of(*r).as_object();
    EXPECT_EQ(body.at("type"), "https://iana.org/assignments/http-problem-types#quota-exceeded");
    EXPECT_EQ(body.at("error"), "limit_exceeded");
    EXPECT_EQ(body.at("violated-policies"), boost::json::array{"shell-day"});
    EXPECT_EQ(body.at("limit").at("policy"), "shell-day");
    EXPECT_GT(body.at("retry_after_s").as_int64(), 0);
    EXPECT_EQ(r->headers.at("retry-after"), std::to_string(body.at("retry_after_s").as_int64()));
    EXPECT_EQ(r->headers.at("ratelimit-policy"), R"("shell-day";q=1;w=86400)");
    EXPECT_EQ(r->headers.at("ratelimit"), R"("shell-day";r=0;t=)" + r->headers.at("retry-after"));
  }
  EXPECT_EQ(json_of(checked).at("message"), json_of(ran).at("message"));
}

TEST_F(HttpSemanticsTest, ACostLargerThanTheLimitIsBadInputNamingTheLimitAndCountsNothing) {
  const std::string key = user_with_daily_shell("alice", 500);
  auto r = call("POST", "/api/v1/check", key, R"({"type":"shell","cost":501})");
  expect_problem(r, 400);
  const boost::json::value body = json_of(r);
  EXPECT_EQ(body.at("field"), "cost");
  EXPECT_EQ(body.at("limit").at("policy"), "shell-day");
  EXPECT_EQ(body.at("limit").at("limit"), 500);
  EXPECT_EQ(r.headers.at("ratelimit-policy"), R"("shell-day";q=500;w=86400)");
  EXPECT_EQ(r.headers.count("retry-after"), 0u) << "no retry can help";
  EXPECT_EQ(shell_used(key), 0);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations"), 0);
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell","cost":500})").status, 200);
}

TEST_F(HttpSemanticsTest, NumbersArePlainDecimals) {
  const std::string key = user_with_daily_shell("alice", 10);
  auto quota = call("GET", "/api/v1/quota", key);
  ASSERT_EQ(quota.status, 200);
  EXPECT_FALSE(std::regex_search(quota.body, std::regex(R"([0-9][eE][-+]?[0-9])"))) << quota.body;
  EXPECT_EQ(json_of(quota).at("reputation").at("score"), 70.0);  // "7E1" before
}

}  // namespace
}  // namespace gaia::testing
