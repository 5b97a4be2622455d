#include "analytics/sketch.h"

#include <cmath>

#include "analytics/encoded_sketch.h"

namespace gaia::analytics {
namespace {

constexpr double kGamma = (1 + Sketch::kRelativeError) / (1 - Sketch::kRelativeError);
const double kLogGamma = std::log(kGamma);

}  // namespace

int32_t Sketch::index_of(int64_t value) {
  return static_cast<int32_t>(std::ceil(std::log(static_cast<double>(value)) / kLogGamma));
}

double Sketch::value_of(int32_t index) { return 2 * std::pow(kGamma, index) / (kGamma + 1); }

void Sketch::cover(int32_t lo, int32_t hi) {
  if (counts_.empty()) {
    offset_ = lo;
    counts_.assign(static_cast<size_t>(hi - lo + 1), 0);
    return;
  }
  if (lo < offset_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - lo), 0);
    offset_ = lo;
  }
  if (hi >= offset_ + static_cast<int32_t>(counts_.size())) {
    counts_.resize(static_cast<size_t>(hi - offset_ + 1), 0);
  }
}

void Sketch::add(int64_t value) {
  if (value < 1) {
    ++zero_;
    return;
  }
  const int32_t i = index_of(value);
  cover(i, i);
  ++counts_[static_cast<size_t>(i - offset_)];
  ++nonzero_;
}

void Sketch::merge(const Sketch& other) {
  zero_ += other.zero_;
  if (other.counts_.empty()) return;
  cover(other.offset_, other.offset_ + static_cast<int32_t>(other.counts_.size()) - 1);
  const auto shift = static_cast<size_t>(other.offset_ - offset_);
  for (size_t j = 0; j < other.counts_.size(); ++j) counts_[shift + j] += other.counts_[j];
  nonzero_ += other.nonzero_;
}

void Sketch::merge(const EncodedSketch& encoded) {
  zero_ += encoded.zero();
  if (encoded.nonzero() == 0) return;
  cover(encoded.lowest(), encoded.highest());
  encoded.add_counts_to(counts_, offset_);
  nonzero_ += encoded.nonzero();
}

bool Sketch::merge_encoded(std::string_view bytes) {
  auto encoded = EncodedSketch::parse(bytes);
  if (!encoded) return false;
  merge(*encoded);
  return true;
}

double Sketch::quantile(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  const double r = std::floor(q * static_cast<double>(n - 1));
  // Above 2^53, n - 1 as a double may round past it (even to 2^64, out of uint64_t's range).
  const uint64_t rank = r >= static_cast<double>(n - 1) ? n - 1 : static_cast<uint64_t>(r);
  if (rank < zero_) return 0;
  uint64_t seen = zero_;
  for (size_t j = 0; j < counts_.size(); ++j) {
    seen += counts_[j];
    if (seen > rank) return value_of(offset_ + static_cast<int32_t>(j));
  }
  return value_of(offset_ + static_cast<int32_t>(counts_.size()) - 1);
}

std::string Sketch::encode() const { return EncodedSketch::encode(zero_, offset_, counts_); }

std::optional<Sketch> Sketch::decode(std::string_view bytes) {
  Sketch s;
  if (!s.merge_encoded(bytes)) return std::nullopt;
  return s;
}

}  // namespace gaia::analytics
