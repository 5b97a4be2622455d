#pragma once
// Sketch: a mergeable log-bucketed histogram of non-negative integers (durations in ms, CPU
// time, bytes), for percentiles of aggregates that are added up across buckets and flushes.
// Values v >= 1 fall into bucket i = ceil(log_g(v)) with g = (1 + a) / (1 - a); a bucket is
// read back as 2 g^i / (g + 1), which is within a = kRelativeError of every value in it.
// So quantile(q) is within kRelativeError (relative) of the true value of rank
// floor(q * (count - 1)) in sorted order, before and after any number of merges. Values
// below 1 are counted exactly as 0. Memory: one 32-bit counter per bucket between the
// smallest and the largest seen (about 115 buckets per factor of 10).
//
// A value type; not thread-safe (callers lock).
//
// Example:
//   Sketch s;
//   for (int64_t ms : durations) s.add(ms);
//   double p95 = s.quantile(0.95);
//   std::string bytes = s.encode();  // stored; Sketch::decode(bytes) gives it back
//   total.merge_encoded(bytes);      // or adds it into another, without building it

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::analytics {

class EncodedSketch;

class Sketch {
 public:
  static constexpr double kRelativeError = 0.01;

  void add(int64_t value);
  void merge(const Sketch& other);
  // Adds the sketch `encoded` stands for, as merge(*decode(bytes)) would.
  void merge(const EncodedSketch& encoded);
  // Adds the sketch encoded in `bytes`; false, leaving this one unchanged, when decode(bytes)
  // would fail.
  bool merge_encoded(std::string_view bytes);

  uint64_t count() const { return zero_ + nonzero_; }
  bool empty() const { return count() == 0; }
  // The estimate of the value of rank floor(q * (count - 1)); 0 when empty.
  // REQUIRES: 0 <= q <= 1.
  double quantile(double q) const;

  // The binary form (encoded_sketch.h); "" when empty.
  std::string encode() const;
  // The sketch of `bytes`, or nullopt when they are not the output of encode() in this or an
  // earlier version (the text form).
  static std::optional<Sketch> decode(std::string_view bytes);

 private:
  static int32_t index_of(int64_t value);
  static double value_of(int32_t index);
  // Grows the window so that it holds buckets lo through hi. REQUIRES: lo <= hi.
  void cover(int32_t lo, int32_t hi);

  uint64_t zero_ = 0;
  uint64_t nonzero_ = 0;
  int32_t offset_ = 0;            // bucket index of counts_[0]
  std::vector<uint32_t> counts_;  // buckets offset_ .. offset_ + size - 1
};

}  // namespace gaia::analytics
