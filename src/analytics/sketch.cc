#include "analytics/sketch.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace gaia::analytics {
namespace {

constexpr double kGamma = (1 + Sketch::kRelativeError) / (1 - Sketch::kRelativeError);
const double kLogGamma = std::log(kGamma);

// Parses a decimal integer of `T` that spans all of `text`.
template <class T>
std::optional<T> parse_whole(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

int32_t Sketch::index_of(int64_t value) {
  return static_cast<int32_t>(std::ceil(std::log(static_cast<double>(value)) / kLogGamma));
}

double Sketch::value_of(int32_t index) { return 2 * std::pow(kGamma, index) / (kGamma + 1); }

void Sketch::add(int64_t value) {
  if (value < 1) {
    ++zero_;
    return;
  }
  const int32_t i = index_of(value);
  if (counts_.empty()) {
    offset_ = i;
    counts_.assign(1, 0);
  } else if (i < offset_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - i), 0);
    offset_ = i;
  } else if (i >= offset_ + static_cast<int32_t>(counts_.size())) {
    counts_.resize(static_cast<size_t>(i - offset_ + 1), 0);
  }
  ++counts_[static_cast<size_t>(i - offset_)];
  ++nonzero_;
}

void Sketch::merge(const Sketch& other) {
  zero_ += other.zero_;
  if (other.counts_.empty()) return;
  if (counts_.empty()) {
    offset_ = other.offset_;
    counts_ = other.counts_;
    nonzero_ = other.nonzero_;
    return;
  }
  const int32_t lo = std::min(offset_, other.offset_);
  const int32_t hi = std::max(offset_ + static_cast<int32_t>(counts_.size()),
                              other.offset_ + static_cast<int32_t>(other.counts_.size()));
  if (lo < offset_) counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - lo), 0);
  offset_ = lo;
  counts_.resize(static_cast<size_t>(hi - lo), 0);
  for (size_t j = 0; j < other.counts_.size(); ++j) {
    counts_[static_cast<size_t>(other.offset_ - offset_) + j] += other.counts_[j];
  }
  nonzero_ += other.nonzero_;
}

double Sketch::quantile(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(n - 1)));
  if (rank < zero_) return 0;
  uint64_t seen = zero_;
  for (size_t j = 0; j < counts_.size(); ++j) {
    seen += counts_[j];
    if (seen > rank) return value_of(offset_ + static_cast<int32_t>(j));
  }
  return value_of(offset_ + static_cast<int32_t>(counts_.size()) - 1);
}

std::string Sketch::encode() const {
  if (empty()) return {};
  std::string out = std::to_string(zero_) + ";" + std::to_string(offset_) + ";";
  for (size_t j = 0; j < counts_.size(); ++j) {
    if (j > 0) out += ',';
    if (counts_[j] != 0) out += std::to_string(counts_[j]);
  }
  return out;
}

std::optional<Sketch> Sketch::decode(std::string_view text) {
  Sketch s;
  if (text.empty()) return s;
  const size_t a = text.find(';');
  if (a == std::string_view::npos) return std::nullopt;
  const size_t b = text.find(';', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  auto zero = parse_whole<uint64_t>(text.substr(0, a));
  auto offset = parse_whole<int32_t>(text.substr(a + 1, b - a - 1));
  if (!zero || !offset) return std::nullopt;
  s.zero_ = *zero;
  s.offset_ = *offset;
  std::string_view rest = text.substr(b + 1);
  if (!rest.empty()) {
    // Far more buckets than any 64-bit value can reach are not a sketch.
    if (std::count(rest.begin(), rest.end(), ',') > 8192) return std::nullopt;
    for (;;) {
      const size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      uint32_t c = 0;
      if (!item.empty()) {
        auto v = parse_whole<uint32_t>(item);
        if (!v) return std::nullopt;
        c = *v;
      }
      s.counts_.push_back(c);
      s.nonzero_ += c;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return s;
}

}  // namespace gaia::analytics
