#pragma once
// The Redis calls Gaia makes, independent of how they travel: a reply tree and an
// asynchronous caller. cluster/redis/connection implements Caller over Asio.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gaia::cluster::redis {

// One RESP reply, owned.
struct Reply {
  enum class Kind { kString, kStatus, kError, kInteger, kNil, kArray };
  Kind kind = Kind::kNil;
  std::string str;              // kString, kStatus, kError
  int64_t integer = 0;          // kInteger
  std::vector<Reply> elements;  // kArray
};

// Why a call has no reply. A Redis error reply is a Reply of Kind::kError, not a CallError.
enum class CallError { kNone, kTimeout, kDisconnected };

struct CallResult {
  CallError error = CallError::kNone;
  Reply reply;  // when error == kNone
};

// Sends commands to Redis and answers each exactly once.
// Threads: call() from any thread; `done` runs on an io thread and must not block.
class Caller {
 public:
  using Done = std::function<void(CallResult)>;
  virtual ~Caller() = default;
  // Sends `argv` as one command. `done` gets the reply, or kTimeout once `deadline` has passed
  // without one, or kDisconnected when no connection could carry it.
  virtual void call(std::vector<std::string> argv, std::chrono::milliseconds deadline,
                    Done done) = 0;
};

}  // namespace gaia::cluster::redis
