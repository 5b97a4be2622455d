// Streaming responses through a real Server, read byte by byte by a raw socket client.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "http/server.h"
#include "support/eventually.h"
#include "support/raw_http_client.h"
#include "support/real_clock.h"

namespace gaia::http {
namespace {

using gaia::testing::get_request;
using gaia::testing::RawHttpConnection;
using namespace std::chrono_literals;

// A raw TCP client that reads whatever arrives, so a test sees chunks as they are sent.
// Every wait gives up after 5 s, so a broken server fails the test instead of hanging it.
class ByteClient {
 public:
  explicit ByteClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~ByteClient() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send(std::string_view s) {
    return fd_ >= 0 && ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size());
  }
  // Reads until everything received so far ends with `tail`; false on close or timeout.
  bool read_until(std::string_view tail) {
    while (!received.ends_with(tail)) {
      if (!read_some()) return false;
    }
    return true;
  }
  // True if the peer closes the connection within the timeout.
  bool read_until_closed() {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      received.append(buf, static_cast<size_t>(n));
    }
  }
  bool read_some() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    received.append(buf, static_cast<size_t>(n));
    return true;
  }

  std::string received;

 private:
  int fd_ = -1;
};

// Hands each opened stream to the test.
class StreamSink {
 public:
  void put(std::shared_ptr<ResponseStream> s) {
    std::lock_guard lock(mu_);
    streams_.push_back(std::move(s));
    cv_.notify_all();
  }
  std::shared_ptr<ResponseStream> take() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, 5s, [this] { return !streams_.empty(); })) return nullptr;
    auto s = streams_.front();
    streams_.erase(streams_.begin());
    return s;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<ResponseStream>> streams_;
};

ServerOptions options(std::size_t max_pending = 1024 * 1024) {
  ServerOptions o;
  o.port = 0;
  o.io_threads = 2;
  o.drain_timeout = 2s;
  o.stream_max_pending_bytes = max_pending;
  o.clock = &testing::real_clock();
  return o;
}

Router router(StreamSink& sink) {
  Router r;
  r.add("GET", "/ping", [](const Request&) { return json_response(200, "pong"); });
  r.add_stream("POST", "/events", [&sink](const Request&, std::shared_ptr<ResponseStream> s) {
    s->begin(200, "application/x-ndjson", {{"X-Stream", "1"}});
    sink.put(std::move(s));
  });
  r.add_stream("GET", "/dropped", [](const Request&, std::shared_ptr<ResponseStream>) {});
  return r;
}

constexpr std::string_view kPost = "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";

TEST(StreamTest, ChunksArriveInOrderAsTheyAreWritten) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  EXPECT_TRUE(c.received.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(c.received.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(c.received.find("Content-Type: application/x-ndjson\r\n"), std::string::npos);
  EXPECT_NE(c.received.find("X-Stream: 1\r\n"), std::string::npos);

  // Each chunk is read before the next is written: they go out as they are written.
  c.received.clear();
  ASSERT_TRUE(s->write("{\"n\":1}\n"));
  ASSERT_TRUE(c.read_until("8\r\n{\"n\":1}\n\r\n"));
  ASSERT_TRUE(s->write("{\"n\":2}\n"));
  ASSERT_TRUE(s->write(std::string(300, 'x')));
  ASSERT_TRUE(c.read_until("12c\r\n" + std::string(300, 'x') + "\r\n"));
  EXPECT_EQ(c.received,
            "8\r\n{\"n\":1}\n\r\n8\r\n{\"n\":2}\n\r\n12c\r\n" + std::string(300, 'x') + "\r\n");
  s->finish();
  ASSERT_TRUE(c.read_until("0\r\n\r\n"));
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->write("late"));
}

TEST(StreamTest, OnCloseFiresOnceWhenClientDisconnectsMidStream) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  std::atomic<int> fired = 0;
  std::promise<void> closed;
  s->on_close([&] {
    if (++fired == 1) closed.set_value();
  });
  ASSERT_TRUE(s->write("a"));
  ASSERT_TRUE(c.read_until("1\r\na\r\n"));
  c.close();
  ASSERT_EQ(closed.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->write("b"));
  s->finish();  // too late: nothing happens, and on_close does not run again
  server.stop();
  EXPECT_EQ(fired.load(), 1);
}

TEST(StreamTest, OnCloseRegisteredAfterTheClientLeftRunsAtOnce) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  c.close();
  // closed() turns true once the server has noticed.
  ASSERT_TRUE(testing::eventually([&] { return s->closed(); }, 5s, 10ms));
  std::promise<void> fired;
  s->on_close([&] { fired.set_value(); });
  EXPECT_EQ(fired.get_future().wait_for(5s), std::future_status::ready);
}

TEST(StreamTest, ConnectionServesNextRequestAfterFinishedStream) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  bool fired = false;
  s->on_close([&] { fired = true; });
  ASSERT_TRUE(s->write("done"));
  s->finish();
  ASSERT_TRUE(c.read_until("4\r\ndone\r\n0\r\n\r\n"));
  EXPECT_EQ(c.received.find("Connection: close"), std::string::npos);

  c.received.clear();
  ASSERT_TRUE(c.send(get_request("/ping")));
  ASSERT_TRUE(c.read_until("\"pong\""));
  EXPECT_TRUE(c.received.starts_with("HTTP/1.1 200 OK\r\n"));

  // A second stream on the same connection works too.
  c.received.clear();
  ASSERT_TRUE(c.send(kPost));
  auto second = sink.take();
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->write("again"));
  second->finish();
  ASSERT_TRUE(c.read_until("5\r\nagain\r\n0\r\n\r\n"));
  EXPECT_FALSE(s->write("stale handle"));  // the first stream's handle cannot reach the second
  server.stop();
  EXPECT_FALSE(fired);
}

TEST(StreamTest, StopClosesStreamThatDoesNotFinish) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  std::promise<void> closed;
  s->on_close([&] { closed.set_value(); });
  ASSERT_TRUE(s->write("x"));
  ASSERT_TRUE(c.read_until("1\r\nx\r\n"));
  server.stop();  // the producer never finishes: the stream is closed after half the drain time
  EXPECT_EQ(closed.get_future().wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(c.read_until_closed());
  EXPECT_EQ(c.received.find("0\r\n\r\n"), std::string::npos);  // truncated, not finished
  EXPECT_TRUE(s->closed());
}

TEST(StreamTest, StopLetsStreamFinishAndThenCloses) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  auto stopped = std::async(std::launch::async, [&server] { server.stop(); });
  // A new connection is refused once stop() has begun; the stream is still open.
  testing::eventually([&] { return !RawHttpConnection(server.port()).connected(); }, 5s, 10ms);
  ASSERT_TRUE(s->write("last"));
  s->finish();
  EXPECT_TRUE(c.read_until_closed());
  EXPECT_TRUE(c.received.ends_with("4\r\nlast\r\n0\r\n\r\n"));
  stopped.get();
}

TEST(StreamTest, WriteRefusesPastPendingBoundWhileClientDoesNotRead) {
  StreamSink sink;
  constexpr std::size_t kBound = 64 * 1024;
  Server server(options(kBound), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(kPost));
  auto s = sink.take();
  ASSERT_TRUE(s);
  const std::string chunk(16 * 1024, 'z');
  const std::string framed = "4000\r\n" + chunk + "\r\n";
  std::size_t accepted = 0;
  bool refused = false;
  // The client reads nothing: once the socket buffers are full, the queue reaches its bound.
  for (int i = 0; i < 100'000 && !refused; ++i) {
    if (s->write(chunk)) {
      ++accepted;
    } else {
      refused = true;
    }
  }
  ASSERT_TRUE(refused);
  EXPECT_LE(s->pending_bytes(), kBound + framed.size());
  s->finish();
  // Every accepted chunk, and only those, arrives, followed by the last chunk.
  ASSERT_TRUE(c.read_until("0\r\n\r\n"));
  std::size_t body = c.received.find("\r\n\r\n") + 4;
  EXPECT_EQ(c.received.size() - body, accepted * framed.size() + 5);
  // The last write's completion may run just after the client has read it.
  EXPECT_TRUE(testing::eventually([&] { return s->pending_bytes() == 0; }, 5s, 10ms));
}

TEST(StreamTest, DroppedStreamWithoutBeginAnswers500) {
  StreamSink sink;
  Server server(options(), router(sink));
  ASSERT_TRUE(server.start().ok());
  ByteClient c(server.port());
  ASSERT_TRUE(c.send(get_request("/dropped")));
  ASSERT_TRUE(c.read_until("0\r\n\r\n"));
  EXPECT_TRUE(c.received.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  EXPECT_NE(c.received.find("\"internal\""), std::string::npos);
}

TEST(StreamTest, RouterWithoutConnectionAnswersStreamRouteWith500) {
  StreamSink sink;
  Router r = router(sink);
  Request req;
  req.method = "POST";
  req.path = "/events";
  EXPECT_EQ(r.route(req).status, 500u);
}

}  // namespace
}  // namespace gaia::http
