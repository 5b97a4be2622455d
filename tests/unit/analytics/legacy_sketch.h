#pragma once
// legacy_text(): the text form of a Sketch as versions before the binary form wrote it,
// "zero;offset;c0,c1,..." with empty counters written as nothing, built here from the values
// themselves so that the tests do not depend on the encoder they check.

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analytics/sketch.h"

namespace gaia::analytics {

inline std::string legacy_text(const std::vector<int64_t>& values) {
  const double log_gamma = std::log((1 + Sketch::kRelativeError) / (1 - Sketch::kRelativeError));
  uint64_t zero = 0;
  std::map<int32_t, uint32_t> buckets;
  for (int64_t v : values) {
    if (v < 1) {
      ++zero;
    } else {
      ++buckets[static_cast<int32_t>(std::ceil(std::log(static_cast<double>(v)) / log_gamma))];
    }
  }
  if (zero == 0 && buckets.empty()) return "";
  const int32_t lo = buckets.empty() ? 0 : buckets.begin()->first;
  const int32_t hi = buckets.empty() ? -1 : buckets.rbegin()->first;
  std::string out = std::to_string(zero) + ";" + std::to_string(lo) + ";";
  for (int32_t i = lo; i <= hi; ++i) {
    if (i > lo) out += ',';
    if (auto it = buckets.find(i); it != buckets.end()) out += std::to_string(it->second);
  }
  return out;
}

}  // namespace gaia::analytics
