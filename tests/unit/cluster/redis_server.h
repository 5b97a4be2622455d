#pragma once
// A throwaway redis-server for one test: no persistence, on a loopback port, killed and reaped
// when the object goes. Every wait is bounded.

#include <sys/types.h>

#include <cstdint>

namespace gaia::testing {

class RedisServer {
 public:
  RedisServer();  // fails the test (gtest ASSERT) if no server answers
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool up() const { return pid_ > 0; }
  uint16_t port() const { return port_; }

 private:
  bool start(uint16_t port);
  void stop();

  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace gaia::testing
