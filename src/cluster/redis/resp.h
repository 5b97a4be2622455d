#pragma once
// The RESP2 codec, on hiredis's protocol functions only (redisFormatCommandArgv and
// redisReader; hiredis's own connections and event loop are not used): commands to bytes, and
// bytes from Redis to owned Reply trees.
//
// The reader builds Reply objects directly (hiredis's object callbacks), so a reply is decoded
// once and never copied. Hostile input is bounded: arrays nest at most 7 deep (hiredis) and hold
// at most kMaxArrayElements elements (here); past either, or on anything that is not RESP, the
// reader reports a protocol error and the connection must be dropped.
//
// Threads: a ReplyReader belongs to one connection (one thread at a time).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/redis/caller.h"

struct redisReader;

namespace gaia::cluster::redis {

// `argv` as one RESP command (an array of bulk strings), appended to `out`.
void append_command(const std::vector<std::string>& argv, std::string& out);

class ReplyReader {
 public:
  static constexpr int kMaxArrayElements = 1 << 18;

  enum class Next { kReply, kNeedMore, kProtocolError };

  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Appends bytes read from the connection.
  void feed(std::string_view bytes);
  // The next whole reply into `out` (kReply); kNeedMore until its bytes have arrived;
  // kProtocolError, for good, once the stream is not RESP (error() says why).
  Next next(Reply& out);
  std::string error() const;

 private:
  redisReader* reader_;
  bool failed_ = false;
};

}  // namespace gaia::cluster::redis
