// The client against a server that does not speak RESP properly: a fake on loopback that
// answers set-up as Redis does, and chosen calls with bytes a broken or hostile server might
// send. The client must drop such a connection (answering its calls kDisconnected, counting a
// protocol error), connect again, and go on.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/system_clock.h"
#include "cluster/redis/client.h"
#include "metrics/registry.h"
#include "support/eventually.h"

namespace gaia::cluster::redis {
namespace {

using namespace std::chrono_literals;

constexpr auto kPatience = 10s;

// Whole commands (arrays of bulk strings, as the client writes them) taken off the front of
// `buffer`.
std::vector<std::vector<std::string>> take_commands(std::string& buffer) {
  std::vector<std::vector<std::string>> commands;
  size_t pos = 0;
  for (;;) {
    size_t p = pos;
    auto line = [&](std::string& out) {
      const size_t end = buffer.find("\r\n", p);
      if (end == std::string::npos) return false;
      out = buffer.substr(p, end - p);
      p = end + 2;
      return true;
    };
    std::string head;
    if (!line(head) || head.empty() || head[0] != '*') break;
    std::vector<std::string> argv;
    bool whole = true;
    for (int i = 0, n = std::stoi(head.substr(1)); i < n && whole; ++i) {
      std::string len;
      if (!line(len)) {
        whole = false;
        break;
      }
      const size_t size = std::stoul(len.substr(1));
      if (buffer.size() < p + size + 2) {
        whole = false;
        break;
      }
      argv.push_back(buffer.substr(p, size));
      p += size + 2;
    }
    if (!whole) break;
    commands.push_back(std::move(argv));
    pos = p;
  }
  buffer.erase(0, pos);
  return commands;
}

// Answers PING with PONG, ECHO x with x, but ECHO `word` with `bytes`; anything else with an
// error. One connection at a time, each served until the client drops it.
class FakeRedis {
 public:
  FakeRedis(std::string word, std::string bytes)
      : word_(std::move(word)), bytes_(std::move(bytes)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeRedis() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  // Waits up to 20 ms for `fd` to be readable, so that stop_ is seen.
  static bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 20) > 0;
  }

  void serve() {
    while (!stop_) {
      if (!readable(listener_)) continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      std::string buffer;
      char chunk[4096];
      bool open = true;
      while (open && !stop_) {
        if (!readable(fd)) continue;
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
        std::string out;
        for (const auto& argv : take_commands(buffer)) {
          if (argv[0] == "PING") {
            out += "+PONG\r\n";
          } else if (argv[0] == "ECHO" && argv[1] == word_) {
            out += bytes_;
          } else if (argv[0] == "ECHO") {
            out += "$" + std::to_string(argv[1].size()) + "\r\n" + argv[1] + "\r\n";
          } else {
            out += "-ERR not here\r\n";
          }
        }
        open = ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size());
      }
      ::close(fd);
    }
  }

  const std::string word_;
  const std::string bytes_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

CallResult call_and_wait(Caller& caller, std::vector<std::string> argv) {
  auto answered = std::make_shared<std::promise<CallResult>>();
  auto answer = answered->get_future();
  caller.call(std::move(argv), 5s, [answered](CallResult r) { answered->set_value(std::move(r)); });
  if (answer.wait_for(kPatience) != std::future_status::ready) {
    ADD_FAILURE() << "no answer";
    return {};
  }
  return answer.get();
}

class HostileServerTest : public ::testing::Test {
 protected:
  ClientOptions options_for(const FakeRedis& fake) {
    ClientOptions options;
    options.connection.url = RedisUrl::parse(fake.url()).value();
    options.connection.backoff_min = 10ms;
    options.connection.backoff_max = 20ms;
    options.eviction = EvictionPolicyCheck::kWarn;  // the fake has no CONFIG
    return options;
  }

  app::SystemClock clock_;
  metrics::MetricsRegistry registry_;
  RedisMetrics metrics_{registry_};
};

TEST_F(HostileServerTest, BytesThatAreNotRespDropTheConnectionAndItComesBack) {
  FakeRedis fake("hostile", "?what is this\r\n");
  RedisClient client(options_for(fake), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  EXPECT_EQ(call_and_wait(client, {"ECHO", "hostile"}).error, CallError::kDisconnected);
  EXPECT_EQ(metrics_.errors(RedisMetrics::Error::kProtocol), 1u);
  ASSERT_TRUE(testing::eventually([&] { return client.connected(); }, kPatience, 5ms));
  CallResult r = call_and_wait(client, {"ECHO", "fine"});
  ASSERT_EQ(r.error, CallError::kNone);
  EXPECT_EQ(r.reply.str, "fine");
  EXPECT_EQ(fake.connections(), 2);
}

TEST_F(HostileServerTest, AReplyNoCallAskedForDropsTheConnection) {
  FakeRedis fake("twice", "$5\r\ntwice\r\n+OK\r\n");
  RedisClient client(options_for(fake), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  // The first reply is the call's; the second answers nothing, and ends the connection.
  CallResult r = call_and_wait(client, {"ECHO", "twice"});
  ASSERT_EQ(r.error, CallError::kNone);
  EXPECT_EQ(r.reply.str, "twice");
  ASSERT_TRUE(testing::eventually(
      [&] { return metrics_.errors(RedisMetrics::Error::kProtocol) == 1; }, kPatience, 5ms));
  ASSERT_TRUE(testing::eventually([&] { return fake.connections() == 2 && client.connected(); },
                                  kPatience, 5ms));
  EXPECT_EQ(call_and_wait(client, {"ECHO", "after"}).reply.str, "after");
}

TEST_F(HostileServerTest, AHugeClaimedArrayIsRefusedWithoutWaitingForIt) {
  FakeRedis fake("huge", "*2000000000\r\n");
  RedisClient client(options_for(fake), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  EXPECT_EQ(call_and_wait(client, {"ECHO", "huge"}).error, CallError::kDisconnected);
  EXPECT_EQ(metrics_.errors(RedisMetrics::Error::kProtocol), 1u);
}

}  // namespace
}  // namespace gaia::cluster::redis
