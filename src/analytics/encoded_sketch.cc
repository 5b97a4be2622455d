#include "analytics/encoded_sketch.h"

#include <cassert>
#include <charconv>
#include <limits>

#include "analytics/detail/varint.h"

namespace gaia::analytics {
namespace {

using detail::get_varint;
using detail::put_varint;

// The binary form's first byte: the text form starts with a digit.
constexpr char kBinaryForm = 0x01;

// Parses a decimal integer of `T` that spans all of `text`.
template <class T>
std::optional<T> parse_whole(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Binary buckets: nothing, or the lowest index and its count, then (gap, count) pairs.
template <class Fn>
bool walk_binary(std::string_view in, Fn&& fn) {
  if (in.empty()) return true;
  uint64_t index = 0;
  if (!get_varint(in, index) || index > EncodedSketch::kMaxIndex) return false;
  // The index grows by at least one a pair and stays within kMaxIndex: a bounded walk.
  for (;;) {
    uint64_t count = 0;
    if (!get_varint(in, count) || count == 0 || count > std::numeric_limits<uint32_t>::max()) {
      return false;
    }
    fn(static_cast<int32_t>(index), static_cast<uint32_t>(count));
    if (in.empty()) return true;
    uint64_t gap = 0;
    if (!get_varint(in, gap) || gap >= EncodedSketch::kMaxIndex - index) return false;
    index += gap + 1;
  }
}

// Text counters "c0,c1,..." from bucket `offset` on, empty ones standing for 0. Read a
// character at a time: most counters of a sparse sketch are empty.
template <class Fn>
bool walk_text(std::string_view items, int32_t offset, Fn&& fn) {
  if (items.empty()) return true;
  const char* p = items.data();
  const char* const end = p + items.size();
  for (int64_t index = offset;; ++index) {
    // encode() never wrote a window wider than the range of indices.
    if (index - offset > EncodedSketch::kMaxIndex - EncodedSketch::kMinIndex) return false;
    uint64_t count = 0;
    for (; p != end && *p >= '0' && *p <= '9'; ++p) {
      count = count * 10 + static_cast<uint64_t>(*p - '0');
      if (count > std::numeric_limits<uint32_t>::max()) return false;
    }
    if (count != 0) {
      if (index < EncodedSketch::kMinIndex || index > EncodedSketch::kMaxIndex) return false;
      fn(static_cast<int32_t>(index), static_cast<uint32_t>(count));
    }
    if (p == end) return true;
    if (*p++ != ',') return false;
  }
}

}  // namespace

template <class Fn>
bool EncodedSketch::walk(Fn&& fn) const {
  return form_ == Form::kBinary ? walk_binary(buckets_, fn) : walk_text(buckets_, text_offset_, fn);
}

std::string EncodedSketch::encode(uint64_t zero, int32_t offset, std::span<const uint32_t> counts) {
  std::string out;
  int64_t previous = -1;  // the last non-empty bucket written
  for (size_t j = 0; j < counts.size(); ++j) {
    if (counts[j] == 0) continue;
    const int64_t index = offset + static_cast<int64_t>(j);
    assert(index >= kMinIndex && index <= kMaxIndex);
    if (previous < 0) {
      out.push_back(kBinaryForm);
      put_varint(out, zero);
      put_varint(out, static_cast<uint64_t>(index));
    } else {
      put_varint(out, static_cast<uint64_t>(index - previous - 1));
    }
    put_varint(out, counts[j]);
    previous = index;
  }
  if (previous < 0 && zero != 0) {
    out.push_back(kBinaryForm);
    put_varint(out, zero);
  }
  return out;
}

std::optional<EncodedSketch> EncodedSketch::parse(std::string_view bytes) {
  std::optional<EncodedSketch> e;
  if (bytes.empty()) {
    e.emplace(EncodedSketch(Form::kBinary, {}));
  } else if (bytes.front() == kBinaryForm) {
    std::string_view in = bytes.substr(1);
    uint64_t zero = 0;
    if (!get_varint(in, zero)) return std::nullopt;
    e.emplace(EncodedSketch(Form::kBinary, in));
    e->zero_ = zero;
  } else {
    const size_t a = bytes.find(';');
    if (a == std::string_view::npos) return std::nullopt;
    const size_t b = bytes.find(';', a + 1);
    if (b == std::string_view::npos) return std::nullopt;
    auto zero = parse_whole<uint64_t>(bytes.substr(0, a));
    auto offset = parse_whole<int32_t>(bytes.substr(a + 1, b - a - 1));
    if (!zero || !offset) return std::nullopt;
    e.emplace(EncodedSketch(Form::kText, bytes.substr(b + 1)));
    e->zero_ = *zero;
    e->text_offset_ = *offset;
  }
  bool any = false;
  const bool ok = e->walk([&](int32_t index, uint32_t count) {
    if (!any) e->lowest_ = index;
    any = true;
    e->highest_ = index;
    e->nonzero_ += count;
  });
  if (!ok) return std::nullopt;
  return e;
}

void EncodedSketch::add_counts_to(std::span<uint32_t> window, int32_t window_offset) const {
  (void)walk([&](int32_t index, uint32_t count) {
    window[static_cast<size_t>(index - window_offset)] += count;
  });  // parse() saw these bytes whole
}

}  // namespace gaia::analytics
