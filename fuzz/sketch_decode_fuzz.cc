// libFuzzer target: Sketch decoding on arbitrary bytes, as read from a database's sketch
// columns. It must never crash, hang or grow without bound; what it accepts must encode and
// decode again to the same sketch, and merging the bytes directly must equal decoding them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "analytics/encoded_sketch.h"
#include "analytics/sketch.h"
#include "fuzz_check.h"

namespace {

using gaia::analytics::EncodedSketch;
using gaia::analytics::Sketch;

using gaia::fuzz::check;

bool same(const Sketch& a, const Sketch& b) {
  if (a.count() != b.count()) return false;
  for (double q : {0.0, 0.5, 0.95, 1.0}) {
    if (a.quantile(q) != b.quantile(q)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = Sketch::decode(bytes);
  auto encoded = EncodedSketch::parse(bytes);
  check(decoded.has_value() == encoded.has_value());
  Sketch base;
  base.add(42);
  Sketch merged = base;
  check(merged.merge_encoded(bytes) == decoded.has_value());
  if (!decoded) {
    check(merged.encode() == base.encode());  // a refusal changes nothing
    return 0;
  }
  check(decoded->count() == encoded->zero() + encoded->nonzero());
  if (encoded->nonzero() > 0) {
    check(encoded->lowest() >= EncodedSketch::kMinIndex);
    check(encoded->highest() <= EncodedSketch::kMaxIndex);
  }
  const std::string again = decoded->encode();
  auto round = Sketch::decode(again);
  check(round.has_value() && same(*round, *decoded) && round->encode() == again);
  base.merge(*decoded);
  check(same(merged, base));
  return 0;
}
