#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <future>
#include <string>
#include <thread>

#include "support/raw_http_client.h"
#include "support/real_clock.h"

namespace gaia::http {
namespace {

using gaia::testing::get_request;
using gaia::testing::http_get;
using gaia::testing::RawHttpConnection;
using gaia::testing::RawResponse;
using namespace std::chrono_literals;

Router test_router() {
  Router router;
  router.add("GET", "/ping", [](const Request& req) {
    return json_response(200, boost::json::object{{"pong", req.query}});
  });
  router.add("POST", "/echo", [](const Request& req) {
    return json_response(200, boost::json::object{{"body", req.body}});
  });
  // An answer far larger than a socket's buffer: its write cannot finish at once.
  router.add("GET", "/large", [](const Request&) {
    Response r;
    r.content_type = "text/plain";
    for (int i = 0; r.body.size() < (16u << 20); ++i) r.body += std::to_string(i) + '\n';
    return r;
  });
  return router;
}

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.io_threads = 2;
  o.read_timeout = 5s;
  o.drain_timeout = 5s;
  o.clock = &testing::real_clock();
  return o;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start().ok()); }
  Server server_{test_options(), test_router()};
};

TEST_F(ServerTest, ListensOnAPortChosenBySystem) { EXPECT_NE(server_.port(), 0); }

TEST_F(ServerTest, ServesTwoRequestsOnOneKeepAliveConnection) {
  RawHttpConnection c(server_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/ping?a=1")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(boost::json::parse(first->body), (boost::json::object{{"pong", "a=1"}}));
  EXPECT_EQ(first->headers["content-type"], "application/json");

  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
             "3\r\n\r\nabc"));
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(boost::json::parse(second->body), (boost::json::object{{"body", "abc"}}));
}

// Many requests in one write, each with a body, some in the same read as others: every one is
// answered, in order, and a deep pipeline is not parsed on one stack.
TEST_F(ServerTest, AnswersAPipelineOfRequestsInOrder) {
  constexpr int kRequests = 20000;
  std::string pipeline;
  for (int i = 0; i < kRequests; ++i) {
    const std::string body = std::to_string(i);
    pipeline += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body;
  }
  RawHttpConnection c(server_.port(), 30s);
  ASSERT_TRUE(c.connected());
  std::future<bool> sent = std::async(std::launch::async, [&] { return c.send(pipeline); });
  for (int i = 0; i < kRequests; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(boost::json::parse(r->body), (boost::json::object{{"body", std::to_string(i)}})) << i;
  }
  EXPECT_TRUE(sent.get());
}

// A request that arrives a few bytes at a time, its header and its body each split, is read
// whole; so is the next one on the same connection.
TEST_F(ServerTest, AnswersARequestThatArrivesInPieces) {
  RawHttpConnection c(server_.port());
  ASSERT_TRUE(c.connected());
  const std::string request =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
  for (int round = 0; round < 2; ++round) {
    for (size_t at = 0; at < request.size(); at += 7) {
      ASSERT_TRUE(c.send(request.substr(at, 7)));
      std::this_thread::sleep_for(2ms);
    }
    auto r = c.read_response();
    ASSERT_TRUE(r) << round;
    EXPECT_EQ(boost::json::parse(r->body), (boost::json::object{{"body", "hello world"}}));
  }
}

// An answer larger than the socket takes at once arrives whole, twice on one connection, and
// read slowly.
TEST_F(ServerTest, AnswersLargerThanTheSocketTakesArriveWhole) {
  std::string expected;
  for (int i = 0; expected.size() < (16u << 20); ++i) expected += std::to_string(i) + '\n';
  RawHttpConnection c(server_.port(), 30s);
  ASSERT_TRUE(c.connected());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(c.send(get_request("/large")));
    std::this_thread::sleep_for(50ms);  // the server's first write fills the socket
    auto r = c.read_response();
    ASSERT_TRUE(r) << round;
    EXPECT_EQ(r->body.size(), expected.size());
    EXPECT_TRUE(r->body == expected) << round;
  }
}

TEST_F(ServerTest, AnswersUnknownPathWith404) {
  auto r = http_get(server_.port(), "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(boost::json::parse(r->body).at("error"), "not_found");
}

TEST_F(ServerTest, AnswersHeadWithTheHeadersOfGetAndNoBody) {
  RawHttpConnection c(server_.port());
  ASSERT_TRUE(c.send("HEAD /ping?a=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.read_response(RawHttpConnection::Body::kNone);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"],
            std::to_string(std::string_view(R"({"pong":"a=1"})").size()));
  // No body went out: the next answer on the connection is the next request's.
  ASSERT_TRUE(c.send(get_request("/ping?b=2")));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(boost::json::parse(next->body), (boost::json::object{{"pong", "b=2"}}));
}

TEST_F(ServerTest, EveryAnswerCarriesADate) {
  auto r = http_get(server_.port(), "/nope");
  ASSERT_TRUE(r);
  // IMF-fixdate (RFC 9110 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
  const std::string& date = r->headers["date"];
  ASSERT_EQ(date.size(), 29u) << date;
  EXPECT_EQ(date.substr(3, 2), ", ");
  EXPECT_EQ(date.substr(25), " GMT");
}

TEST_F(ServerTest, AnswersWrongMethodWith405) {
  auto r = http_get(server_.port(), "/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "POST");
}

TEST_F(ServerTest, AnswersMalformedRequestWith400AndKeepsServing) {
  RawHttpConnection c(server_.port());
  ASSERT_TRUE(c.send("\x01\x02 nonsense\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.wait_for_close());

  auto next = http_get(server_.port(), "/ping");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, AnswersOversizedHeaderWith431) {
  RawHttpConnection c(server_.port());
  std::string big(test_options().max_header_bytes + 1, 'a');
  ASSERT_TRUE(c.send("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(ServerTest, AnswersOversizedBodyWith413) {
  RawHttpConnection c(server_.port());
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     std::to_string(test_options().max_body_bytes + 1) + "\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

// A slow route calls hold() and waits there until the test lets it go.
class ServerBlockingTest : public ::testing::Test {
 protected:
  void hold() {
    entered_.set_value();
    released_.wait();
  }
  // Sends `path` to a server with one io thread, so that every connection is on the loop the
  // slow request would hold; while its handler holds, another connection must be served.
  // Then lets the handler go and returns its answer.
  std::optional<RawResponse> answer_while_held(Router router, const std::string& path) {
    ServerOptions o = test_options();
    o.io_threads = 1;
    Server server(o, std::move(router));
    if (!server.start().ok()) {
      ADD_FAILURE() << "the server did not start";
      return std::nullopt;
    }
    RawHttpConnection slow(server.port());
    if (!slow.send(get_request(path))) {
      ADD_FAILURE() << "cannot send " << path;
      return std::nullopt;
    }
    entered_.get_future().wait();
    auto ping = http_get(server.port(), "/ping");  // answered while the slow handler holds
    EXPECT_TRUE(ping && ping->status == 200);
    release_.set_value();
    return slow.read_response();
  }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  std::promise<void> entered_;
};

TEST_F(ServerBlockingTest, ABlockingRouteLeavesItsIoThreadServingOtherConnections) {
  Router router = test_router();
  router.add_pool("slow", {.threads = 1});
  router.add_blocking("GET", "/slow", "slow", [&](const Request&) {
    hold();
    return json_response(200, boost::json::object{{"slow", true}});
  });
  auto answer = answer_while_held(std::move(router), "/slow");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(boost::json::parse(answer->body), (boost::json::object{{"slow", true}}));
}

TEST_F(ServerBlockingTest, ABlockingStreamRouteLeavesItsIoThreadServingOtherConnections) {
  Router router = test_router();
  router.add_pool("slow", {.threads = 1});
  router.add_stream_blocking("GET", "/slow-stream", "slow",
                             [&](const Request&, std::shared_ptr<ResponseStream> stream) {
                               hold();
                               stream->begin(200, "text/plain");
                               stream->write("done");
                               stream->finish();
                             });
  auto answer = answer_while_held(std::move(router), "/slow-stream");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->headers["content-type"], "text/plain");
  EXPECT_EQ(answer->headers["transfer-encoding"], "chunked");
}

TEST(ServerTimeoutTest, ClosesConnectionThatStallsMidRequest) {
  ServerOptions o = test_options();
  o.read_timeout = 100ms;
  Server server(o, test_router());
  ASSERT_TRUE(server.start().ok());
  RawHttpConnection c(server.port());  // waits up to 5 s, far beyond the read timeout
  ASSERT_TRUE(c.send("GET /ping HTTP/1.1\r\nHost: x\r\n"));  // never finished
  EXPECT_TRUE(c.wait_for_close());
  auto next = http_get(server.port(), "/ping");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(ServerTimeoutTest, ClosesIdleKeepAliveConnectionAfterIdleTimeout) {
  ServerOptions o = test_options();
  o.idle_timeout = 100ms;
  Server server(o, test_router());
  ASSERT_TRUE(server.start().ok());
  RawHttpConnection c(server.port());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.wait_for_close());
}

TEST_F(ServerTest, StopClosesIdleKeepAliveConnections) {
  RawHttpConnection c(server_.port());
  ASSERT_TRUE(c.send(get_request("/ping")));
  ASSERT_TRUE(c.read_response());
  server_.stop();  // returns only once the connection is closed and the threads joined
  EXPECT_TRUE(c.wait_for_close());
  EXPECT_FALSE(RawHttpConnection(server_.port()).connected());
}

TEST(ServerStopTest, StopFinishesRequestInFlight) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Router router;
  router.add("GET", "/slow", [&entered, released](const Request&) {
    entered.set_value();
    released.wait();
    return json_response(200, boost::json::object{{"done", true}});
  });
  router.add("GET", "/quick", [](const Request&) { return json_response(200, nullptr); });
  Server server(test_options(), std::move(router));
  ASSERT_TRUE(server.start().ok());

  // An idle keep-alive connection: its close shows that stop() has begun.
  RawHttpConnection idle(server.port());
  ASSERT_TRUE(idle.send(get_request("/quick")));
  ASSERT_TRUE(idle.read_response());
  RawHttpConnection c(server.port());
  ASSERT_TRUE(c.send(get_request("/slow")));
  entered.get_future().wait();
  auto stopped = std::async(std::launch::async, [&server] { server.stop(); });
  EXPECT_TRUE(idle.wait_for_close());  // EXPECT: the handler must be released regardless
  release.set_value();

  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.wait_for_close());
  stopped.get();
}

TEST(ServerStartTest, FailsOnAddressThatIsNotAnIp) {
  ServerOptions o = test_options();
  o.address = "not-an-address";
  Server server(o, Router());
  core::Status s = server.start();
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
}

TEST(ServerStartTest, FailsOnPortInUse) {
  Server first(test_options(), Router());
  ASSERT_TRUE(first.start().ok());
  ServerOptions o = test_options();
  o.port = first.port();
  Server second(o, Router());
  core::Status s = second.start();
  EXPECT_EQ(s.code(), core::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(std::to_string(first.port())), std::string::npos);
}

}  // namespace
}  // namespace gaia::http
