// RemoteHttpClient against a loopback listener that answers with bytes the test writes, in
// pieces, so framing, line splitting and streaming are checked on a real socket.

#include "cli/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

namespace gaia::cli {
namespace {

// Accepts one connection, reads the request head, then writes each piece in turn, waiting
// (boundedly) for `release` (if set) before the last one, and closes.
class ScriptedServer {
 public:
  ScriptedServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ScriptedServer() {
    join();
    ::close(fd_);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  void serve(std::vector<std::string> pieces, std::shared_future<void> release = {}) {
    thread_ = std::thread([this, pieces = std::move(pieces), release] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      request_ = got;
      for (size_t i = 0; i < pieces.size(); ++i) {
        if (i + 1 == pieces.size() && release.valid()) {
          released_in_time_ =
              release.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
        }
        ::send(c, pieces[i].data(), pieces[i].size(), MSG_NOSIGNAL);
      }
      ::close(c);
    });
  }
  // Holds the connection open without answering until `release`.
  void hang(std::shared_future<void> release) {
    thread_ = std::thread([this, release] {
      const int c = ::accept(fd_, nullptr, nullptr);
      release.wait();
      if (c >= 0) ::close(c);
    });
  }

  Url url() const { return parse_server_url("http://127.0.0.1:" + std::to_string(port_)).value(); }
  std::string request_;
  bool released_in_time_ = false;

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

struct Streamed {
  core::Status status;
  int code = 0;
  std::string content_type;
  std::vector<std::string> lines;
};

Streamed stream(HttpClient& client) {
  Streamed s;
  StreamHandler h{[&s](const HttpResponse& head) {
                    s.code = head.status;
                    s.content_type = head.header("content-type");
                  },
                  [&s](std::string_view line) { s.lines.emplace_back(line); },
                  {},
                  {}};
  s.status = client.stream({"POST", "/api/v1/exec", "k", R"({"type":"shell"})"}, h);
  return s;
}

using Lines = std::vector<std::string>;
constexpr auto kTimeout = std::chrono::seconds(10);

TEST(HttpClientTest, StreamsAChunkedBodyLineByLine) {
  ScriptedServer server;
  server.serve(
      {"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
       "Transfer-Encoding: chunked\r\n\r\n",
       "14\r\n{\"event\":\"started\"}\n\r\n", "4\r\n{\"ev", "\r\n", "f\r\nent\":\"exited\"}\n\r\n",
       "0\r\n\r\n"});
  RemoteHttpClient client(server.url(), kTimeout);
  Streamed s = stream(client);
  EXPECT_TRUE(s.status.ok()) << s.status.message();
  EXPECT_EQ(s.code, 200);
  EXPECT_EQ(s.content_type, "application/x-ndjson");
  EXPECT_EQ(s.lines, (Lines{"{\"event\":\"started\"}", "{\"event\":\"exited\"}"}));
  EXPECT_TRUE(server.request_.starts_with("POST /api/v1/exec HTTP/1.1\r\n")) << server.request_;
  EXPECT_NE(server.request_.find("Authorization: Bearer k\r\n"), std::string::npos);
}

TEST(HttpClientTest, HandsOverALineBeforeTheRestOfTheBodyIsSent) {
  ScriptedServer server;
  std::promise<void> release;
  server.serve({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "14\r\n{\"event\":\"started\"}\n\r\n", "0\r\n\r\n"},
               release.get_future().share());
  RemoteHttpClient client(server.url(), kTimeout);
  Lines lines;
  bool released = false;
  StreamHandler h{{},
                  [&](std::string_view line) {
                    lines.emplace_back(line);
                    // The server sends its last piece only after the first line arrived here.
                    if (!released) release.set_value();
                    released = true;
                  },
                  {},
                  {}};
  EXPECT_TRUE(client.stream({"POST", "/x", "", ""}, h).ok());
  EXPECT_EQ(lines, Lines{"{\"event\":\"started\"}"});
  server.join();
  EXPECT_TRUE(server.released_in_time_);
}

TEST(HttpClientTest, TellsOfASilentBodyWhileWaitingForIt) {
  ScriptedServer server;
  std::promise<void> release;
  server.serve({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "0\r\n\r\n"},
               release.get_future().share());
  RemoteHttpClient client(server.url(), kTimeout);
  int idle = 0;
  StreamHandler h{{},
                  {},
                  [&] {
                    // The server sends the end only once we said we were idle.
                    if (++idle == 1) release.set_value();
                  },
                  std::chrono::milliseconds(10)};
  EXPECT_TRUE(client.stream({"POST", "/x", "", ""}, h).ok());
  server.join();
  EXPECT_TRUE(server.released_in_time_);
  EXPECT_GE(idle, 1);
}

TEST(HttpClientTest, StreamsAContentLengthBodyAndAnUnterminatedLastLine) {
  ScriptedServer server;
  const std::string body = R"({"error":"limit_exceeded","message":"limit shell-day reached"})";
  server.serve({"HTTP/1.1 429 Too Many Requests\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nRetry-After: 60\r\n\r\n",
                body + "junk after the body"});
  RemoteHttpClient client(server.url(), kTimeout);
  Streamed s = stream(client);
  EXPECT_TRUE(s.status.ok()) << s.status.message();
  EXPECT_EQ(s.code, 429);
  EXPECT_EQ(s.lines, Lines{body});
}

TEST(HttpClientTest, StreamsABodyThatEndsWithTheConnection) {
  ScriptedServer server;
  server.serve({"HTTP/1.1 200 OK\r\n\r\na\nb", "\nc"});
  RemoteHttpClient client(server.url(), kTimeout);
  Streamed s = stream(client);
  EXPECT_TRUE(s.status.ok()) << s.status.message();
  EXPECT_EQ(s.lines, (Lines{"a", "b", "c"}));
}

TEST(HttpClientTest, AChunkedBodyCutShortIsUnavailable) {
  ScriptedServer server;
  server.serve({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "4\r\na\nbc\r\n"});
  RemoteHttpClient client(server.url(), kTimeout);
  Streamed s = stream(client);
  EXPECT_EQ(s.status.code(), core::StatusCode::kUnavailable);
  EXPECT_NE(s.status.message().find("closed before the answer ended"), std::string::npos)
      << s.status.message();
  EXPECT_EQ(s.lines, Lines{"a"});
}

TEST(HttpClientTest, BadChunkFramingIsInternal) {
  ScriptedServer server;
  server.serve({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"});
  RemoteHttpClient client(server.url(), kTimeout);
  Streamed s = stream(client);
  EXPECT_EQ(s.status.code(), core::StatusCode::kInternal);
  EXPECT_EQ(s.code, 200);
}

TEST(HttpClientTest, SendReadsAChunkedBodyWhole) {
  ScriptedServer server;
  server.serve({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a", "\r\n",
                "4\r\n\":1}\r\n0\r\n\r\n"});
  RemoteHttpClient client(server.url(), kTimeout);
  auto r = client.send({"GET", "/x", "", ""});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "{\"a\":1}");
}

TEST(HttpClientTest, AReadableInterruptFdEndsAWaitingStream) {
  ScriptedServer server;
  std::promise<void> release;
  server.hang(release.get_future().share());
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);  // already interrupted: no wait at all
  RemoteHttpClient client(server.url(), std::chrono::minutes(10), std::chrono::minutes(10),
                          pipe_fds[0]);
  Streamed s = stream(client);
  release.set_value();
  EXPECT_EQ(s.status.code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(s.status.message(), "interrupted");
  EXPECT_EQ(s.code, 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(ServerUrlTest, TakesHttpAndHttpsButNoQuery) {
  EXPECT_TRUE(parse_server_url("http://gaia.example:9090/api-gw/").ok());
  EXPECT_TRUE(parse_server_url("https://gaia.example").ok());
  EXPECT_EQ(parse_server_url("http://host/?q=1").status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_server_url("ftp://host").status().code(), core::StatusCode::kInvalidArgument);
}

TEST(HttpClientTest, PutsEveryPathAfterTheUrlsOwn) {
  ScriptedServer server;
  server.serve({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"});
  const Url base = parse_server_url(server.url().origin() + "/gw/").value();
  RemoteHttpClient client(base, kTimeout);
  auto r = client.send({"GET", "/api/v1/quota", "", ""});
  ASSERT_TRUE(r.ok()) << r.status().message();
  server.join();
  EXPECT_TRUE(server.request_.starts_with("GET /gw/api/v1/quota HTTP/1.1\r\n")) << server.request_;
}

}  // namespace
}  // namespace gaia::cli
