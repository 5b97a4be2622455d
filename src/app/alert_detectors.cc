#include "app/alert_detectors.h"

namespace gaia::app {

using alerts::Sample;
using alerts::ScopeKind;

const analytics::Findings* AlertDetectors::findings(const std::string& kind) {
  const core::Instant now = clock_.now();
  auto it = cache_.find(kind);
  if (it != cache_.end() && now.mono - it->second.at < std::chrono::seconds(1)) {
    return it->second.ok ? &it->second.findings : nullptr;
  }
  const int64_t now_ms = core::to_ms(now.wall);
  constexpr int64_t kHourMs = 3'600'000;
  core::Result<analytics::Findings> got = analytics::Findings{};
  if (kind == "spikes") {
    got = detectors_.spikes({.hour_start_ms = now_ms / kHourMs * kHourMs});
  } else if (kind == "violators") {
    got = detectors_.violators({.from_ms = now_ms - kHourMs, .to_ms = now_ms});
  } else {
    got = detectors_.forecast({.now_ms = now_ms});
  }
  Cached& c = cache_[kind];
  c.at = now.mono;
  c.ok = got.ok();
  c.findings = got.ok() ? std::move(got.value()) : analytics::Findings{};
  return c.ok ? &c.findings : nullptr;
}

void AlertDetectors::read(std::string_view metric, ScopeKind scope, std::vector<Sample>& out) {
  std::string kind;
  if (metric == "detector_spikes") {
    kind = "spikes";
  } else if (metric == "detector_violators") {
    kind = "violators";
  } else if (metric == "detector_forecast") {
    kind = "forecast";
  } else {
    return;
  }
  const analytics::Findings* f = findings(kind);
  if (f == nullptr) return;  // unknown this round: the rules' alerts stay as they are
  if (scope == ScopeKind::kGlobal) {
    out.push_back({"", static_cast<double>(f->items.size())});
    return;
  }
  std::map<std::string, double> by_key;
  for (const analytics::Finding& item : f->items) {
    const std::string& key = scope == ScopeKind::kUser ? item.user : item.type;
    if (key.empty()) continue;
    // Forecast: how many quotas run out; the others: the item's own headline figure.
    by_key[key] = kind == "forecast" ? by_key[key] + 1 : item.value;
  }
  for (const auto& [key, value] : by_key) out.push_back({key, value});
}

}  // namespace gaia::app
