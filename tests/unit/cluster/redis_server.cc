#include "unit/cluster/redis_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/loopback_port.h"

namespace gaia::testing {
namespace {

bool answers_ping(uint16_t port) {
  timeval timeout{0, 200'000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, timeout);
  bool ok = false;
  if (c != nullptr && c->err == 0) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
  }
  if (c) redisFree(c);
  return ok;
}

}  // namespace

RedisServer::RedisServer() {
  // A port picked free may be taken before redis-server binds it: try a few.
  for (int attempt = 0; attempt < 5 && !up(); ++attempt) start(refused_port());
  EXPECT_TRUE(up()) << "redis-server did not start";
}

RedisServer::~RedisServer() { stop(); }

bool RedisServer::start(uint16_t port) {
  const std::string port_text = std::to_string(port);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    execlp("redis-server", "redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1",
           "--save", "", "--appendonly", "no", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) return false;
  pid_ = pid;
  port_ = port;
  for (int i = 0; i < 100; ++i) {  // up to 5 s
    if (answers_ping(port)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;  // exited: port taken?
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  return false;
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace gaia::testing
