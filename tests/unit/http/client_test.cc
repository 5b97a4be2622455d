// The outgoing client (http/client.h) against Gaia's own server on loopback (port 0): what it
// sends, what it hands back, its deadline, its bound on the answer, redirects, a streamed
// answer piece by piece, and how each failure is worded.

#include "http/client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "http/server.h"
#include "support/loopback_port.h"
#include "support/loopback_server.h"
#include "support/tls_peer.h"

namespace gaia::http {
namespace {

using namespace std::chrono_literals;

// A peer with a few routes: /echo answers what it got, /status/{code} that status, /big a
// 100-byte body, /redirect a 302 to /echo, /hang nothing until the peer is destroyed,
// /stream two lines, the second only once the test lets it.
class Peer {
 public:
  Peer() {
    Router router;
    router.add("POST", "/echo", [](const Request& req) {
      return json_response(200, {{"body", req.body},
                                 {"content_type", req.header("Content-Type")},
                                 {"user_agent", req.header("User-Agent")},
                                 {"extra", req.header("X-Extra")}});
    });
    router.add("GET", "/echo", [](const Request&) { return json_response(200, {{"got", "GET"}}); });
    router.add("POST", "/status/{code}", [](const Request& req) {
      return json_response(std::stoi(std::string(req.path_param("code"))), {{"ok", false}});
    });
    router.add("GET", "/big", [](const Request&) {
      Response r;
      r.content_type = "text/plain";
      r.body = std::string(100, 'x');
      return r;
    });
    router.add("GET", "/redirect", [this](const Request&) {
      Response r;
      r.status = 302;
      r.headers.push_back({"Location", server_->url("/echo")});
      return r;
    });
    router.add_async("POST", "/hang", [this](const Request&, Responder respond) {
      server_->hold(std::move(respond));
    });
    router.add_stream("GET", "/stream",
                      [this](const Request&, std::shared_ptr<ResponseStream> stream) {
                        stream->begin(200, "application/x-ndjson");
                        stream->write("one\n");
                        std::lock_guard lock(mu_);
                        stream_ = std::move(stream);
                      });
    server_ = std::make_unique<testing::LoopbackServer>(std::move(router));
  }
  ~Peer() { finish_stream(); }
  std::string url(std::string_view path) const { return server_->url(path); }
  uint16_t port() const {
    const std::string base = server_->url("");
    return static_cast<uint16_t>(std::stoi(base.substr(base.rfind(':') + 1)));
  }
  // Writes the stream's second line and ends it.
  void finish_stream() {
    std::lock_guard lock(mu_);
    if (!stream_) return;
    stream_->write("two\n");
    stream_->finish();
    stream_.reset();
  }

 private:
  std::mutex mu_;
  std::shared_ptr<ResponseStream> stream_;
  std::unique_ptr<testing::LoopbackServer> server_;  // last: stops before the state above goes
};

ClientOptions options(std::chrono::milliseconds timeout = 5s) {
  return {.peer = "peer", .user_agent = "gaia-test", .timeout = timeout};
}

TEST(HttpClientTest, PostsJsonWithExtraHeadersAndReturnsTheAnswerBody) {
  Peer peer;
  Client client(options());
  auto body = client.post_json(peer.url("/echo"), R"({"a":1})", {{"X-Extra", "yes"}});
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(body.value(),
            R"({"body":"{\"a\":1}","content_type":"application/json","user_agent":"gaia-test",)"
            R"("extra":"yes"})");
}

TEST(HttpClientTest, FetchHandsBackAnyStatusWithItsHeaders) {
  Peer peer;
  auto r = Client(options()).fetch({.method = "POST", .url = peer.url("/status/418")});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->body, R"({"ok":false})");
}

TEST(HttpClientTest, PostJsonCallsAnAnswerOtherThan2xxUnavailable) {
  Peer peer;
  auto body = Client(options()).post_json(peer.url("/status/503"), "{}");
  EXPECT_EQ(body.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(body.status().message(), "peer answered HTTP 503");
}

TEST(HttpClientTest, NobodyListeningCannotBeConnectedTo) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/x";
  auto r = Client(options()).fetch({.url = url});
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "cannot connect to peer: Connection refused");
}

TEST(HttpClientTest, APeerThatNeverAnswersTimesOutAtTheDeadline) {
  Peer peer;
  auto r = Client(options(200ms)).fetch({.method = "POST", .url = peer.url("/hang")});
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "peer timed out after 200 ms");
}

TEST(HttpClientTest, AnAnswerLargerThanTheBoundIsRefused) {
  Peer peer;
  ClientOptions o = options();
  o.max_answer_bytes = 99;
  auto r = Client(o).fetch({.url = peer.url("/big")});
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "peer answered more than 99 bytes");
  o.max_answer_bytes = 100;
  EXPECT_TRUE(Client(o).fetch({.url = peer.url("/big")}).ok());
}

TEST(HttpClientTest, RedirectsAreTheAnswerUnlessAskedToFollow) {
  Peer peer;
  ClientOptions o = options();
  auto refused = Client(o).fetch({.url = peer.url("/redirect")});
  ASSERT_TRUE(refused.ok()) << refused.status().message();
  EXPECT_EQ(refused->status, 302);
  o.redirects = Redirects::kFollow;
  auto followed = Client(o).fetch({.url = peer.url("/redirect")});
  ASSERT_TRUE(followed.ok()) << followed.status().message();
  EXPECT_EQ(followed->status, 200);
  EXPECT_EQ(followed->body, R"({"got":"GET"})");
}

TEST(HttpClientTest, StreamHandsOverBodyBytesAsTheyArrive) {
  Peer peer;
  std::string head_type, body;
  bool released = false;
  StreamCallbacks callbacks{
      .on_head = [&](const ClientResponse& head) { head_type = head.header("content-type"); },
      .on_body =
          [&](std::string_view bytes) {
            body += bytes;
            // The peer sends its second line only after the first arrived here.
            if (!released) peer.finish_stream();
            released = true;
            return core::Status();
          },
      .on_idle = {},
      .idle_interval = 0ms};
  core::Status s = Client(options()).stream({.url = peer.url("/stream")}, callbacks);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(head_type, "application/x-ndjson");
  EXPECT_EQ(body, "one\ntwo\n");
}

TEST(HttpClientTest, ARefusalFromOnBodyEndsTheStreamWithIt) {
  Peer peer;
  StreamCallbacks callbacks{
      .on_head = {},
      .on_body = [](std::string_view) { return core::Status::internal("line too long"); },
      .on_idle = {},
      .idle_interval = 0ms};
  core::Status s = Client(options()).stream({.url = peer.url("/stream")}, callbacks);
  EXPECT_EQ(s.code(), core::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "line too long");
}

TEST(HttpClientTest, AReadableInterruptFdEndsACallAtOnce) {
  Peer peer;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  ClientOptions o = options(10min);
  o.interrupt_fd = fds[0];
  auto r = Client(o).fetch({.method = "POST", .url = peer.url("/hang")});
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "interrupted");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(HttpClientTest, HttpsSpeaksTlsToThePeer) {
  // Gaia's server speaks plain HTTP, so the TLS handshake fails: the URL was taken as https.
  Peer peer;
  std::string url = peer.url("/echo");
  url.replace(0, 4, "https");
  auto r = Client(options()).fetch({.url = url});
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().message().starts_with("peer TLS: ")) << r.status().message();
}

TEST(HttpClientTest, HttpsToAPeerSignedByTheGivenCaFileIsTrusted) {
  Peer peer;
  testing::TlsPeer tls(peer.port());
  ASSERT_TRUE(tls.ok()) << "openssl or python3 could not start the TLS peer";
  ClientOptions o = options();
  o.ca_file = tls.ca_file();
  auto r = Client(o).post_json(tls.url("/echo"), R"({"over":"tls"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(boost::json::parse(r.value()).at("body"), R"({"over":"tls"})");
}

TEST(HttpClientTest, HttpsToAPeerOfAnUnknownCaIsRefused) {
  Peer peer;
  testing::TlsPeer tls(peer.port());
  ASSERT_TRUE(tls.ok()) << "openssl or python3 could not start the TLS peer";
  auto r = Client(options()).fetch({.url = tls.url("/echo")});  // the system's CAs only
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().message().starts_with("peer TLS: ")) << r.status().message();
}

// Sets an environment variable for one test's length, restoring what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(HttpClientTest, AProxyFromTheEnvironmentCarriesTheRequest) {
  // The peer plays the proxy: a name that resolves nowhere reaches it, and it answers 404
  // for a target it has no route for.
  Peer proxy;
  ScopedEnv http_proxy("http_proxy", proxy.url("").c_str());
  ScopedEnv no_proxy("no_proxy", nullptr);
  ScopedEnv no_proxy_upper("NO_PROXY", nullptr);
  auto r = Client(options()).fetch({.url = "http://gaia.invalid/echo"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 404);
}

TEST(HttpClientTest, AHeaderWithALineBreakIsRefusedUnsent) {
  Peer peer;
  auto r = Client(options()).post_json(peer.url("/echo"), "{}", {{"X-Extra", "a\r\nX-Evil: 1"}});
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(HttpClientTest, CallsFromSeveralThreadsAtOnce) {
  Peer peer;
  const Client client(options());
  std::vector<std::future<bool>> calls;
  for (int i = 0; i < 8; ++i) {
    calls.push_back(std::async(std::launch::async,
                               [&] { return client.post_json(peer.url("/echo"), "{}").ok(); }));
  }
  for (auto& c : calls) EXPECT_TRUE(c.get());
}

}  // namespace
}  // namespace gaia::http
