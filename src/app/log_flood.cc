#include "app/log_flood.h"

#include <algorithm>

namespace gaia::app {

namespace {
constexpr std::string_view kOtherKind = "other lines";
constexpr std::size_t kKindTextBytes = 48;
}  // namespace

bool FloodGuard::admit(std::string_view kind, int64_t now_s) {
  auto it = kinds_.find(std::string(kind));
  if (it == kinds_.end()) {
    // A flood of ever new kinds must not grow the map without bound either.
    const std::string key(kinds_.size() < kMaxKinds ? kind : kOtherKind);
    it = kinds_.try_emplace(key, Window{now_s, 0, 0}).first;
  }
  Window& w = it->second;
  if (w.second != now_s) {
    w.second = now_s;
    w.written = 0;
  }
  if (w.written < per_second_) {
    ++w.written;
    return true;
  }
  if (w.suppressed++ == 0) ++with_suppressed_;
  return false;
}

std::vector<std::pair<std::string, uint64_t>> FloodGuard::expired(int64_t now_s) {
  std::vector<std::pair<std::string, uint64_t>> out;
  if (with_suppressed_ == 0) return out;
  for (auto& [kind, w] : kinds_) {
    if (w.suppressed == 0 || w.second >= now_s) continue;
    out.emplace_back(kind, w.suppressed);
    w.suppressed = 0;
    --with_suppressed_;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, uint64_t>> FloodGuard::drain() {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto& [kind, w] : kinds_) {
    if (w.suppressed == 0) continue;
    out.emplace_back(kind, w.suppressed);
    w.suppressed = 0;
  }
  with_suppressed_ = 0;
  std::sort(out.begin(), out.end());
  return out;
}

std::string log_line_kind(std::string_view tag, std::string_view text) {
  const std::size_t colon = text.find(':');
  std::string kind = "[" + std::string(tag) + "] ";
  kind += text.substr(0, std::min({colon, text.size(), kKindTextBytes}));
  return kind;
}

}  // namespace gaia::app
