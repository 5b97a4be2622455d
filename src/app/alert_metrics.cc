#include "app/alert_metrics.h"

#include <algorithm>

#include "core/mutex.h"

namespace gaia::app {

using alerts::Sample;
using alerts::ScopeKind;

struct AlertMetrics::Shard {
  core::Mutex mu;
  std::unordered_map<uint64_t, Window> users GUARDED_BY(mu);
  std::unordered_map<std::string, Window> types GUARDED_BY(mu);
  Window all GUARDED_BY(mu);
};

void AlertMetrics::Window::add(int64_t at_ms, uint32_t admitted_units, uint32_t refusals) {
  const int64_t period = at_ms / kBucketMs;
  const size_t i = static_cast<size_t>(period % kBuckets);
  if (epoch[i] != period) {
    if (epoch[i] > period) return;  // older than the window
    epoch[i] = period;
    admitted[i] = 0;
    refused[i] = 0;
  }
  admitted[i] += admitted_units;
  refused[i] += refusals;
}

void AlertMetrics::Window::sum(int64_t now_ms, uint64_t& admitted_units, uint64_t& refusals) const {
  const int64_t newest = now_ms / kBucketMs;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (epoch[i] > newest - kBuckets && epoch[i] <= newest) {
      admitted_units += admitted[i];
      refusals += refused[i];
    }
  }
}

AlertMetrics::AlertMetrics(const core::Clock& clock, AlertMetricSources sources)
    : clock_(clock), sources_(std::move(sources)) {
  for (auto& s : shards_) s = std::make_unique<Shard>();
}

AlertMetrics::~AlertMetrics() = default;

void AlertMetrics::count(uint64_t user_id, const std::string& type, int64_t at_ms,
                         uint32_t admitted, uint32_t refused) {
  Shard& shard = *shards_[user_id % kShards];
  core::MutexLock lock(shard.mu);
  shard.users[user_id].add(at_ms, admitted, refused);
  shard.types[type].add(at_ms, admitted, refused);
  shard.all.add(at_ms, admitted, refused);
}

std::vector<AlertMetrics::UserActivity> AlertMetrics::top_users(size_t n) const {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  std::vector<UserActivity> all;
  for (const auto& shard : shards_) {
    core::MutexLock lock(shard->mu);
    for (const auto& [user_id, window] : shard->users) {
      UserActivity a{user_id, 0, 0};
      window.sum(now_ms, a.admitted, a.refused);
      if (a.admitted + a.refused > 0) all.push_back(a);
    }
  }
  const auto busier = [](const UserActivity& a, const UserActivity& b) {
    const uint64_t x = a.admitted + a.refused, y = b.admitted + b.refused;
    return x != y ? x > y : a.user_id < b.user_id;
  };
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end(), busier);
  all.resize(n);
  return all;
}

void AlertMetrics::on_usage(const store::Usage& delta, int64_t at_ms) {
  count(delta.user_id, delta.type, at_ms, static_cast<uint32_t>(delta.used), 0);
}

void AlertMetrics::on_violation(const store::Violation& v) {
  count(v.user_id, v.type, v.at_ms, 0,
        static_cast<uint32_t>(std::min<uint64_t>(v.count, UINT32_MAX)));
}

void AlertMetrics::rates(std::string_view metric, ScopeKind scope, std::vector<Sample>& out) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  const bool share = metric == "refusal_share";
  auto figure = [&](uint64_t admitted, uint64_t refused) {
    if (share) {
      return admitted + refused == 0
                 ? 0.0
                 : 100.0 * static_cast<double>(refused) / static_cast<double>(admitted + refused);
    }
    return static_cast<double>(refused) / (kBuckets * kBucketMs / 60'000.0);
  };
  // Totals across shards, then one sample per key.
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_key;
  std::vector<std::pair<uint64_t, std::pair<uint64_t, uint64_t>>> by_user;
  for (auto& shard : shards_) {
    core::MutexLock lock(shard->mu);
    if (scope == ScopeKind::kGlobal) {
      auto& t = by_key[""];
      shard->all.sum(now_ms, t.first, t.second);
    } else if (scope == ScopeKind::kType) {
      for (auto& [type, window] : shard->types) {
        auto& t = by_key[type];
        window.sum(now_ms, t.first, t.second);
      }
    } else {
      for (auto it = shard->users.begin(); it != shard->users.end();) {
        std::pair<uint64_t, uint64_t> t{0, 0};
        it->second.sum(now_ms, t.first, t.second);
        if (t.first == 0 && t.second == 0) {
          it = shard->users.erase(it);  // quiet for five minutes: forgotten
          continue;
        }
        by_user.push_back({it->first, t});
        ++it;
      }
    }
  }
  for (const auto& [user_id, t] : by_user) {
    auto name = sources_.user_name ? sources_.user_name(user_id) : std::nullopt;
    if (name) by_key[*name] = t;
  }
  for (const auto& [key, t] : by_key) out.push_back({key, figure(t.first, t.second)});
}

std::optional<double> AlertMetrics::executor_figure(std::string_view metric) {
  if (!sources_.executor) return std::nullopt;
  const boost::json::object status = sources_.executor();
  auto number = [&](std::string_view field) -> std::optional<double> {
    const boost::json::value* v = status.if_contains(field);
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->to_number<double>();
  };
  if (metric == "cpu_pct") return number("cpu_pct");
  if (metric == "memory_pct") return number("mem_pct");
  if (metric == "throttle_factor") return number("throttle_factor");
  if (metric == "queue_wait_ms") return number("queue_wait_ms");
  if (metric == "queue_length") {
    const boost::json::value* q = status.if_contains("queued");
    if (q == nullptr || !q->is_object()) return std::nullopt;
    double total = 0;
    for (const auto& [cls, n] : q->get_object()) {
      if (n.is_number()) total += n.to_number<double>();
    }
    return total;
  }
  return std::nullopt;
}

void AlertMetrics::read(std::string_view metric, ScopeKind scope, std::vector<Sample>& out) {
  if (metric == "violation_rate" || metric == "refusal_share") return rates(metric, scope, out);
  if (metric.starts_with("detector_")) {
    if (sources_.detectors) sources_.detectors(metric, scope, out);
    return;
  }
  if (metric == "quota_use_pct") {
    if (!sources_.quota_use) return;
    // The users seen in the last five minutes: others' use has not moved.
    std::vector<uint64_t> users;
    for (auto& shard : shards_) {
      core::MutexLock lock(shard->mu);
      for (const auto& [id, window] : shard->users) users.push_back(id);
    }
    std::map<std::string, double> by_key;
    for (uint64_t id : users) {
      std::map<std::string, double> pct;
      sources_.quota_use(id, pct);
      if (pct.empty()) continue;
      double top = 0;
      for (const auto& [type, p] : pct) {
        top = std::max(top, p);
        if (scope == ScopeKind::kType && type != "*") {
          by_key[type] = std::max(by_key[type], p);
        }
      }
      if (scope == ScopeKind::kGlobal) by_key[""] = std::max(by_key[""], top);
      if (scope == ScopeKind::kUser) {
        if (auto name = sources_.user_name ? sources_.user_name(id) : std::nullopt) {
          by_key[*name] = top;
        }
      }
    }
    for (const auto& [key, v] : by_key) out.push_back({key, v});
    return;
  }
  if (scope != ScopeKind::kGlobal) return;
  if (metric == "store_healthy" || metric == "store_write_backlog") {
    if (sources_.store == nullptr) return;
    const store::StoreHealth h = sources_.store->health();
    if (metric == "store_healthy") {
      out.push_back({"", h.ok && !h.journaling ? 1.0 : 0.0});
    } else {
      out.push_back({"", static_cast<double>(h.queued_writes + h.journal_records)});
    }
    return;
  }
  if (metric == "counters_reachable") {
    const bool up = !sources_.counters_reachable || sources_.counters_reachable();
    out.push_back({"", up ? 1.0 : 0.0});
    return;
  }
  if (metric == "ws_drops" || metric == "webhook_failures") {
    const bool ws = metric == "ws_drops";
    const auto& source = ws ? sources_.ws_drops : sources_.webhook_failures;
    if (!source) {
      out.push_back({"", 0});
      return;
    }
    uint64_t& last = ws ? last_ws_drops_ : last_webhook_failures_;
    const uint64_t now = source();
    out.push_back({"", static_cast<double>(now >= last ? now - last : 0)});
    last = now;
    return;
  }
  if (auto v = executor_figure(metric)) out.push_back({"", *v});
}

}  // namespace gaia::app
