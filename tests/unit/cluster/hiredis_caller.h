#pragma once
// A Caller for tests: hiredis's synchronous API on one connection. Each call blocks until the
// reply and answers inline; the deadline is not enforced. One thread at a time.

#include <hiredis/hiredis.h>

#include <cstdint>

#include "cluster/redis/caller.h"

namespace gaia::testing {

class HiredisCaller final : public cluster::redis::Caller {
 public:
  explicit HiredisCaller(uint16_t port);
  ~HiredisCaller() override;
  HiredisCaller(const HiredisCaller&) = delete;
  HiredisCaller& operator=(const HiredisCaller&) = delete;

  void call(std::vector<std::string> argv, std::chrono::milliseconds deadline, Done done) override;

  // Runs one command and returns its reply (tests' own commands: FLUSHALL, ...).
  cluster::redis::Reply run(std::vector<std::string> argv);
  int calls() const { return calls_; }

 private:
  redisContext* context_;
  int calls_ = 0;
};

}  // namespace gaia::testing
