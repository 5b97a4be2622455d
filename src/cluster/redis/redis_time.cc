#include "cluster/redis/redis_time.h"

#include <charconv>
#include <string>

namespace gaia::cluster::redis {
namespace {

bool to_int(const Reply& r, int64_t& out) {
  if (r.kind != Reply::Kind::kString || r.str.empty()) return false;
  auto [end, ec] = std::from_chars(r.str.data(), r.str.data() + r.str.size(), out);
  return ec == std::errc() && end == r.str.data() + r.str.size() && out >= 0;
}

}  // namespace

core::Result<core::WallTime> parse_time(const Reply& reply) {
  int64_t seconds = 0;
  int64_t micros = 0;
  if (reply.kind != Reply::Kind::kArray || reply.elements.size() != 2 ||
      !to_int(reply.elements[0], seconds) || !to_int(reply.elements[1], micros) ||
      micros >= 1'000'000 || seconds > int64_t{1} << 40) {
    return core::Status::invalid_argument("not a TIME reply");
  }
  return core::WallTime(std::chrono::seconds(seconds) + std::chrono::microseconds(micros));
}

void redis_time(Caller& caller, std::chrono::milliseconds deadline,
                std::function<void(core::Result<core::WallTime>)> done) {
  caller.call({"TIME"}, deadline, [done = std::move(done)](CallResult r) {
    if (r.error != CallError::kNone) {
      done(core::Status::unavailable(r.error == CallError::kTimeout ? "redis TIME: timed out"
                                                                    : "redis TIME: disconnected"));
      return;
    }
    core::Result<core::WallTime> t = parse_time(r.reply);
    if (!t.ok()) return done(core::Status::unavailable("redis TIME: " + t.status().message()));
    done(std::move(t));
  });
}

}  // namespace gaia::cluster::redis
