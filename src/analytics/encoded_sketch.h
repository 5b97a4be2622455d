#pragma once
// EncodedSketch: the stored form of a Sketch (see sketch.h), checked once by parse() and then
// added into a sketch's buckets straight from the bytes, with no Sketch built in between.
// Reports merge hundreds of thousands of stored sketches; this keeps that a walk over bytes.
//
// Two forms are read; encode() writes the first (docs/analytics.md, "Encoding"):
//   binary: 0x01, varint zero, then (when a value >= 1 was added) varint index of the lowest
//           non-empty bucket, varint its count (>= 1), and for each further non-empty bucket
//           upwards, varint gap (empty buckets skipped since the previous one) and varint
//           count (>= 1).
//   text:   "zero;offset;c0,c1,..." (empty counters written as nothing), written by versions
//           before the binary form; it always starts with a digit, never with 0x01.
// Both encode the empty sketch as "". Bytes come from the database, so parse() refuses
// anything else, including bucket indices that no int64 value reaches, which keeps every
// merge's window bounded.
//
// A view: the bytes given to parse() must outlive the EncodedSketch. Not thread-safe.
//
// Example:
//   auto e = EncodedSketch::parse(row.duration_sketch);
//   if (e) sketch.merge(*e);

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gaia::analytics {

class EncodedSketch {
 public:
  // The buckets of 1 and of INT64_MAX (ceil(ln(2^63) / ln((1 + a) / (1 - a))), a = 0.01):
  // every value >= 1 falls between them, so an encoding may use no other index.
  static constexpr int32_t kMinIndex = 0;
  static constexpr int32_t kMaxIndex = 2184;

  // The binary form of the sketch with `zero` values below 1 and counts[j] values in bucket
  // offset + j; "" when it is empty. Empty buckets at either end are left out.
  // REQUIRES: every non-empty bucket's index is in [kMinIndex, kMaxIndex].
  static std::string encode(uint64_t zero, int32_t offset, std::span<const uint32_t> counts);

  // The checked view of `bytes`, or nullopt when they are neither form above.
  static std::optional<EncodedSketch> parse(std::string_view bytes);

  uint64_t zero() const { return zero_; }
  uint64_t nonzero() const { return nonzero_; }
  // The lowest and highest non-empty bucket. REQUIRES: nonzero() > 0.
  int32_t lowest() const { return lowest_; }
  int32_t highest() const { return highest_; }

  // Adds each bucket's count to window[index - window_offset].
  // REQUIRES: the window covers [lowest(), highest()].
  void add_counts_to(std::span<uint32_t> window, int32_t window_offset) const;

 private:
  enum class Form { kBinary, kText };
  EncodedSketch(Form form, std::string_view buckets) : form_(form), buckets_(buckets) {}
  // Calls fn(index, count) for each non-empty bucket, lowest first; false when the bytes are
  // malformed (fn may have been called for the buckets before the fault).
  template <class Fn>
  bool walk(Fn&& fn) const;

  Form form_;
  std::string_view buckets_;  // binary: what follows the zero count; text: the counters
  int32_t text_offset_ = 0;   // text: the bucket index of the first counter
  uint64_t zero_ = 0;
  uint64_t nonzero_ = 0;
  int32_t lowest_ = 0;
  int32_t highest_ = 0;
};

}  // namespace gaia::analytics
