#pragma once
// Detectors: findings read from the stored aggregates, each item explained in words
// (docs/analytics.md describes each rule):
//   trend      usage (admitted units) per command type and per user over a range, against
//              the previous range of the same length;
//   spikes     users whose hour is far above their own baseline: the median and MAD of the
//              same hour of the week over the past weeks, with a minimum volume;
//   violators  users refused more than N times in a window, with how their reputation moved;
//   forecast   calendar quotas that, at the rate of the last hour, run out before they reset;
//   top        the largest consumers of CPU time and memory per command type.
// The alert engine reads the same results through an adapter in src/app: every item has a
// headline `value`, and names a user and/or a command type.
//
// Ownership: the store and the sources are borrowed and must outlive the Detectors.
// Threads: any thread; each call reads the store (never on the request path).
//
// Example:
//   Detectors d(store, buckets, names, &reputation, &quotas);
//   auto spikes = d.spikes({.hour_start_ms = last_hour});
//   for (const Finding& f : spikes->items) log(f.explanation);

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/buckets.h"
#include "analytics/report.h"
#include "store/aggregate_store.h"

namespace gaia::analytics {

struct Finding {
  std::string scope;  // what the item is about: "type", "user", "cpu", "memory", a period...
  std::string user;   // empty when not about one user
  std::string type;   // empty when not about one command type
  double value = 0;   // the headline figure; each detector says which
  std::vector<std::pair<std::string, double>> figures;  // named figures shown with it
  std::optional<int64_t> at_ms;  // a moment the item names (the spike's hour, the exhaustion)
  std::string explanation;
};

struct Findings {
  std::string kind;  // trend | spikes | violators | forecast | top
  std::vector<Finding> items;
};

// How a user's reputation moved: the score at the start of a window and now.
struct ReputationMove {
  double before = 0;
  double now = 0;
};
class ReputationSource {
 public:
  virtual ~ReputationSource() = default;
  // nullopt when the user has no reputation history.
  virtual std::optional<ReputationMove> movement(std::string_view user, int64_t since_ms) const = 0;
};

// One calendar quota as the limiter enforces it now.
struct QuotaUse {
  uint64_t user_id = 0;
  std::string type;
  std::string period;  // day | week | month
  uint64_t limit = 0;
  uint64_t used = 0;
  int64_t resets_at_ms = 0;
};
class QuotaSource {
 public:
  virtual ~QuotaSource() = default;
  virtual std::vector<QuotaUse> calendar_quotas(int64_t now_ms) const = 0;
};

struct TrendOptions {
  int64_t from_ms = 0;  // REQUIRES: from_ms < to_ms
  int64_t to_ms = 0;
  size_t limit = 20;  // items per scope (types, users), largest change first
};
struct SpikeOptions {
  int64_t hour_start_ms = 0;  // the hour examined
  int weeks = 4;              // baseline: the same hour in each of the past `weeks` weeks
  uint64_t min_count = 20;    // fewer requests in the hour are never a spike
  double threshold = 3.5;     // robust z-score: (count - median) / (1.4826 MAD)
};
struct ViolatorOptions {
  int64_t from_ms = 0;  // REQUIRES: from_ms < to_ms
  int64_t to_ms = 0;
  uint64_t min_refusals = 10;  // flagged when refused more than this
};
struct ForecastOptions {
  int64_t now_ms = 0;
  int64_t rate_window_ms = 3'600'000;  // the rate is that of the last window
};
struct TopOptions {
  int64_t from_ms = 0;  // REQUIRES: from_ms < to_ms
  int64_t to_ms = 0;
  size_t per_type = 5;  // users per type and resource
};

class Detectors {
 public:
  // `reputation` and `quotas` may be null: violators then show no movement, forecast finds
  // nothing.
  Detectors(store::AggregateStore& store, Buckets buckets, UserName user_name,
            const ReputationSource* reputation, const QuotaSource* quotas)
      : store_(store),
        buckets_(buckets),
        user_name_(std::move(user_name)),
        reputation_(reputation),
        quotas_(quotas) {}

  // value: the change in admitted units (current - previous).
  core::Result<Findings> trend(const TrendOptions& o) const;
  // value: the robust z-score; figures count, median, mad.
  core::Result<Findings> spikes(const SpikeOptions& o) const;
  // value: refusals in the window.
  core::Result<Findings> violators(const ViolatorOptions& o) const;
  // value: hours from now until the quota runs out; at_ms the projected moment.
  core::Result<Findings> forecast(const ForecastOptions& o) const;
  // value: CPU ms (scope "cpu") or peak memory bytes (scope "memory").
  core::Result<Findings> top(const TopOptions& o) const;

 private:
  // Rows of the buckets that overlap [from_ms, to_ms): minutes for up to 6 hours, hours for
  // up to 31 days, days beyond.
  core::Result<std::vector<store::AggregateRow>> rows(int64_t from_ms, int64_t to_ms,
                                                      std::optional<std::string> outcome) const;

  store::AggregateStore& store_;
  const Buckets buckets_;
  const UserName user_name_;
  const ReputationSource* const reputation_;
  const QuotaSource* const quotas_;
};

// "2026-01-05 14:20 UTC".
std::string format_time(int64_t t_ms);

}  // namespace gaia::analytics
