#include "analytics/detectors.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "analytics/totals.h"
#include "date/date.h"

namespace gaia::analytics {
namespace {

using store::Granularity;

std::string number(double v) {
  char buf[32];
  if (std::abs(v - std::round(v)) < 1e-9) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  }
  return buf;
}

std::string duration_words(int64_t ms) {
  const int64_t minutes = ms / 60'000;
  if (minutes < 60) return std::to_string(minutes) + " min";
  return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string bytes_words(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return number(bytes / (1024.0 * 1024 * 1024)) + " GiB";
  if (bytes >= 1024.0 * 1024) return number(bytes / (1024.0 * 1024)) + " MiB";
  if (bytes >= 1024.0) return number(bytes / 1024.0) + " KiB";
  return number(bytes) + " B";
}

}  // namespace

std::string format_time(int64_t t_ms) {
  const auto tp = std::chrono::sys_time<std::chrono::minutes>(
      std::chrono::duration_cast<std::chrono::minutes>(std::chrono::milliseconds(t_ms)));
  return date::format("%Y-%m-%d %H:%M UTC", tp);
}

core::Result<std::vector<store::AggregateRow>> Detectors::rows(
    int64_t from_ms, int64_t to_ms, std::optional<std::string> outcome) const {
  const int64_t length = to_ms - from_ms;
  const Granularity g = length <= 6 * kHourMs   ? Granularity::kMinute
                        : length <= 31 * kDayMs ? Granularity::kHour
                                                : Granularity::kDay;
  return store_.list_aggregates(
      {g, buckets_.start(g, from_ms), to_ms, std::nullopt, std::nullopt, std::move(outcome)});
}

core::Result<Findings> Detectors::trend(const TrendOptions& o) const {
  const int64_t length = o.to_ms - o.from_ms;
  auto current = rows(o.from_ms, o.to_ms, std::string(kAdmitted));
  if (!current.ok()) return current.status();
  auto previous = rows(o.from_ms - length, o.from_ms, std::string(kAdmitted));
  if (!previous.ok()) return previous.status();
  // scope -> name -> (current, previous)
  std::map<std::string, std::map<std::string, std::pair<double, double>>> usage;
  auto add = [&](const std::vector<store::AggregateRow>& rows, bool is_current) {
    for (const store::AggregateRow& r : rows) {
      auto& by_type = usage["type"][r.type];
      auto& by_user = usage["user"][user_name_(r.user_id)];
      (is_current ? by_type.first : by_type.second) += static_cast<double>(r.cost);
      (is_current ? by_user.first : by_user.second) += static_cast<double>(r.cost);
    }
  };
  add(current.value(), true);
  add(previous.value(), false);
  Findings out{"trend", {}};
  for (const auto& [scope, names] : usage) {
    std::vector<Finding> items;
    for (const auto& [name, v] : names) {
      Finding f;
      f.scope = scope;
      (scope == "type" ? f.type : f.user) = name;
      f.value = v.first - v.second;
      f.figures = {{"current", v.first}, {"previous", v.second}};
      std::string what = (scope == "type" ? "Command type " : "User ") + name + ": " +
                         number(v.first) + " units admitted from " + format_time(o.from_ms) +
                         " to " + format_time(o.to_ms);
      if (v.second == 0) {
        f.explanation = what + ", none in the previous range of the same length.";
      } else {
        const double pct = 100 * (v.first - v.second) / v.second;
        f.figures.emplace_back("change_pct", std::round(pct * 10) / 10);
        f.explanation = what + ", " + (pct >= 0 ? "up " : "down ") + number(std::abs(pct)) +
                        " % from " + number(v.second) +
                        " in the previous range of the same length.";
      }
      items.push_back(std::move(f));
    }
    std::sort(items.begin(), items.end(), [](const Finding& a, const Finding& b) {
      return std::abs(a.value) > std::abs(b.value);
    });
    if (items.size() > o.limit) items.resize(o.limit);
    out.items.insert(out.items.end(), items.begin(), items.end());
  }
  return out;
}

core::Result<Findings> Detectors::spikes(const SpikeOptions& o) const {
  const core::Period hour = buckets_.at(Granularity::kHour, o.hour_start_ms);
  auto count_by_user = [&](const core::Period& p) -> core::Result<std::map<uint64_t, double>> {
    auto rows = store_.list_aggregates({Granularity::kHour, p.start_ms, p.end_ms});
    if (!rows.ok()) return rows.status();
    std::map<uint64_t, double> counts;
    // Requests: admissions and refusals (executions of admitted requests would count twice).
    for (const store::AggregateRow& r : rows.value()) {
      if (r.outcome == kAdmitted || r.outcome == kRefused) {
        counts[r.user_id] += static_cast<double>(r.count);
      }
    }
    return counts;
  };
  auto now = count_by_user(hour);
  if (!now.ok()) return now.status();
  std::vector<std::map<uint64_t, double>> past;
  for (int k = 1; k <= o.weeks; ++k) {
    // The same local hour k weeks back (a DST change in between moves it by the shift).
    const core::Period then = buckets_.at(Granularity::kHour, hour.start_ms - k * 7 * kDayMs);
    auto counts = count_by_user(then);
    if (!counts.ok()) return counts.status();
    past.push_back(std::move(counts.value()));
  }
  Findings out{"spikes", {}};
  for (const auto& [user, count] : now.value()) {
    if (count < static_cast<double>(o.min_count)) continue;
    std::vector<double> baseline;
    for (const auto& week : past) {
      auto it = week.find(user);
      baseline.push_back(it == week.end() ? 0 : it->second);
    }
    const double median = median_of(baseline);
    std::vector<double> deviations;
    for (double b : baseline) deviations.push_back(std::abs(b - median));
    const double mad = median_of(deviations);
    // A perfectly steady history has MAD 0: a tenth of the median (at least 1) stands in
    // for its spread, so small wobbles of a steady user are not spikes.
    const double spread = std::max({1.4826 * mad, 0.1 * median, 1.0});
    const double z = (count - median) / spread;
    if (z < o.threshold) continue;
    Finding f;
    f.scope = "user";
    f.user = user_name_(user);
    f.value = std::round(z * 10) / 10;
    f.figures = {{"count", count}, {"median", median}, {"mad", mad}};
    f.at_ms = hour.start_ms;
    f.explanation = f.user + " made " + number(count) + " requests in the hour from " +
                    format_time(hour.start_ms) + "; the same hour of the past " +
                    std::to_string(o.weeks) + " weeks had a median of " + number(median) +
                    " (MAD " + number(mad) + "), so this is " + number(f.value) +
                    " robust deviations above the user's own baseline.";
    out.items.push_back(std::move(f));
  }
  std::sort(out.items.begin(), out.items.end(),
            [](const Finding& a, const Finding& b) { return a.value > b.value; });
  return out;
}

core::Result<Findings> Detectors::violators(const ViolatorOptions& o) const {
  auto refused = rows(o.from_ms, o.to_ms, std::string(kRefused));
  if (!refused.ok()) return refused.status();
  std::map<uint64_t, std::map<std::string, uint64_t>> by_user;  // user -> limit -> refusals
  for (const store::AggregateRow& r : refused.value()) by_user[r.user_id][r.limit] += r.count;
  Findings out{"violators", {}};
  for (const auto& [user, limits] : by_user) {
    uint64_t total = 0;
    std::pair<std::string, uint64_t> worst;
    for (const auto& [limit, n] : limits) {
      total += n;
      if (n > worst.second) worst = {limit, n};
    }
    if (total <= o.min_refusals) continue;
    Finding f;
    f.scope = "user";
    f.user = user_name_(user);
    f.value = static_cast<double>(total);
    f.figures = {{"refusals", static_cast<double>(total)}};
    f.explanation = f.user + " was refused " + std::to_string(total) + " times from " +
                    format_time(o.from_ms) + " to " + format_time(o.to_ms) + " (more than " +
                    std::to_string(o.min_refusals) + "), most often by " + worst.first + " (" +
                    std::to_string(worst.second) + ")";
    std::optional<ReputationMove> move =
        reputation_ ? reputation_->movement(f.user, o.from_ms) : std::nullopt;
    if (move) {
      f.figures.emplace_back("reputation_before", std::round(move->before * 10) / 10);
      f.figures.emplace_back("reputation_now", std::round(move->now * 10) / 10);
      f.explanation += "; reputation went from " + number(std::round(move->before * 10) / 10) +
                       " to " + number(std::round(move->now * 10) / 10);
    }
    f.explanation += ".";
    out.items.push_back(std::move(f));
  }
  std::sort(out.items.begin(), out.items.end(),
            [](const Finding& a, const Finding& b) { return a.value > b.value; });
  return out;
}

core::Result<Findings> Detectors::forecast(const ForecastOptions& o) const {
  Findings out{"forecast", {}};
  if (quotas_ == nullptr) return out;
  std::vector<QuotaUse> quotas = quotas_->calendar_quotas(o.now_ms);
  if (quotas.empty()) return out;
  auto recent = store_.list_aggregates(
      {Granularity::kMinute, buckets_.start(Granularity::kMinute, o.now_ms - o.rate_window_ms),
       o.now_ms, std::nullopt, std::nullopt, std::string(kAdmitted)});
  if (!recent.ok()) return recent.status();
  std::map<std::pair<uint64_t, std::string>, double> units;  // (user, type) -> admitted units
  for (const store::AggregateRow& r : recent.value()) {
    units[{r.user_id, r.type}] += static_cast<double>(r.cost);
  }
  for (const QuotaUse& q : quotas) {
    if (q.used >= q.limit) continue;  // already out: the refusals say so
    auto it = units.find({q.user_id, q.type});
    if (it == units.end() || it->second <= 0) continue;
    const double per_ms = it->second / static_cast<double>(o.rate_window_ms);
    const auto eta =
        o.now_ms + static_cast<int64_t>(static_cast<double>(q.limit - q.used) / per_ms);
    if (eta >= q.resets_at_ms) continue;
    Finding f;
    f.scope = q.period;
    f.user = user_name_(q.user_id);
    f.type = q.type;
    f.value = std::round(static_cast<double>(eta - o.now_ms) / 360'000.0) / 10;  // hours
    f.at_ms = eta;
    const double per_hour = per_ms * 3'600'000.0;
    f.figures = {{"used", static_cast<double>(q.used)},
                 {"limit", static_cast<double>(q.limit)},
                 {"rate_per_hour", std::round(per_hour * 10) / 10},
                 {"resets_at_ms", static_cast<double>(q.resets_at_ms)}};
    f.explanation = f.user + " has used " + std::to_string(q.used) + " of " +
                    std::to_string(q.limit) + " " + q.type + " this " + q.period +
                    "; at the rate of the last " + duration_words(o.rate_window_ms) + " (" +
                    number(std::round(per_hour * 10) / 10) + " per hour) the quota runs out at " +
                    format_time(eta) + ", " + duration_words(q.resets_at_ms - eta) +
                    " before it resets at " + format_time(q.resets_at_ms) + ".";
    out.items.push_back(std::move(f));
  }
  std::sort(out.items.begin(), out.items.end(),
            [](const Finding& a, const Finding& b) { return *a.at_ms < *b.at_ms; });
  return out;
}

core::Result<Findings> Detectors::top(const TopOptions& o) const {
  auto executed = rows(o.from_ms, o.to_ms, std::string(kExecuted));
  if (!executed.ok()) return executed.status();
  auto failed = rows(o.from_ms, o.to_ms, std::string(kFailed));
  if (!failed.ok()) return failed.status();
  struct Use {
    double cpu_ms = 0;
    double memory = 0;
    double executions = 0;
  };
  std::map<std::string, std::map<uint64_t, Use>> by_type;
  for (const auto* set : {&executed.value(), &failed.value()}) {
    for (const store::AggregateRow& r : *set) {
      Use& u = by_type[r.type][r.user_id];
      u.cpu_ms += static_cast<double>(r.cpu_ms_sum);
      u.memory = std::max(u.memory, static_cast<double>(r.peak_memory_max));
      u.executions += static_cast<double>(r.count);
    }
  }
  Findings out{"top", {}};
  for (const auto& [type, users] : by_type) {
    double type_cpu = 0;
    for (const auto& [user, u] : users) type_cpu += u.cpu_ms;
    for (const char* resource : {"cpu", "memory"}) {
      const bool cpu = resource == std::string_view("cpu");
      std::vector<std::pair<uint64_t, Use>> ranked(users.begin(), users.end());
      std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
        return cpu ? a.second.cpu_ms > b.second.cpu_ms : a.second.memory > b.second.memory;
      });
      if (ranked.size() > o.per_type) ranked.resize(o.per_type);
      for (size_t rank = 0; rank < ranked.size(); ++rank) {
        const auto& [user, u] = ranked[rank];
        Finding f;
        f.scope = resource;
        f.user = user_name_(user);
        f.type = type;
        f.value = cpu ? u.cpu_ms : u.memory;
        const double share = type_cpu > 0 ? std::round(1000 * u.cpu_ms / type_cpu) / 10 : 0;
        f.figures = {{"rank", static_cast<double>(rank + 1)},
                     {"cpu_ms", u.cpu_ms},
                     {"cpu_share_pct", share},
                     {"peak_memory_max", u.memory},
                     {"executions", u.executions}};
        f.explanation = cpu ? f.user + " used " + number(u.cpu_ms / 1000) + " s of CPU in " +
                                  number(u.executions) + " " + type + " commands, " +
                                  number(share) + " % of the type's CPU time, from " +
                                  format_time(o.from_ms) + " to " + format_time(o.to_ms) + " (#" +
                                  std::to_string(rank + 1) + ")."
                            : f.user + " peaked at " + bytes_words(u.memory) + " of memory in " +
                                  type + " commands from " + format_time(o.from_ms) + " to " +
                                  format_time(o.to_ms) + " (#" + std::to_string(rank + 1) + ").";
        out.items.push_back(std::move(f));
      }
    }
  }
  return out;
}

}  // namespace gaia::analytics
