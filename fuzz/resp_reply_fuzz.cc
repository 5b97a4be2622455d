// libFuzzer target: decoding of Redis replies (cluster/redis/resp) on arbitrary bytes, as a
// hostile or broken server could send them. It must never crash, hang or grow without bound;
// the replies it yields must not depend on how the bytes were split into reads; and once it
// reports a protocol error it yields nothing more.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cluster/redis/resp.h"
#include "fuzz_check.h"

namespace {

using gaia::cluster::redis::Reply;
using gaia::cluster::redis::ReplyReader;
using gaia::fuzz::check;

bool same(const Reply& a, const Reply& b) {
  if (a.kind != b.kind || a.str != b.str || a.integer != b.integer ||
      a.elements.size() != b.elements.size()) {
    return false;
  }
  for (size_t i = 0; i < a.elements.size(); ++i) {
    if (!same(a.elements[i], b.elements[i])) return false;
  }
  return true;
}

// hiredis nests arrays at most 8 deep (a reply tree of 9 levels); the reader bounds each
// array's size.
bool bounded(const Reply& r, int depth) {
  if (depth > 9 || r.elements.size() > static_cast<size_t>(ReplyReader::kMaxArrayElements)) {
    return false;
  }
  for (const Reply& e : r.elements) {
    if (!bounded(e, depth + 1)) return false;
  }
  return r.kind == Reply::Kind::kArray || r.elements.empty();
}

// Every reply of `bytes` fed in pieces of `step` bytes (all at once when 0); `failed` tells
// whether the stream ended in a protocol error.
std::vector<Reply> decode(std::string_view bytes, size_t step, bool& failed) {
  ReplyReader reader;
  std::vector<Reply> out;
  failed = false;
  size_t fed = 0;
  while (true) {
    const size_t n = step == 0 ? bytes.size() - fed : std::min(step, bytes.size() - fed);
    reader.feed(bytes.substr(fed, n));
    fed += n;
    Reply r;
    ReplyReader::Next next;
    while ((next = reader.next(r)) == ReplyReader::Next::kReply) {
      out.push_back(std::move(r));
      r = Reply{};
    }
    if (next == ReplyReader::Next::kProtocolError) {
      failed = true;
      check(reader.next(r) == ReplyReader::Next::kProtocolError);
      check(!reader.error().empty());
      return out;
    }
    if (fed == bytes.size()) return out;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks how the rest is split into reads.
  const size_t step = data[0] % 17;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool whole_failed = false;
  bool split_failed = false;
  const std::vector<Reply> whole = decode(bytes, 0, whole_failed);
  const std::vector<Reply> split = decode(bytes, step, split_failed);
  check(whole_failed == split_failed);
  check(whole.size() == split.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    check(same(whole[i], split[i]));
    check(bounded(whole[i], 1));
  }
  return 0;
}
