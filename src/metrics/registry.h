#pragma once
// MetricsRegistry: counters, gauges and histograms with labels, rendered as Prometheus text
// exposition format 0.0.4 for GET /metrics.
//
// Ownership: the registry owns its families and each family owns its children (one per tuple of
// label values). Children are never removed, so a `Counter&` from `with()` stays valid for the
// registry's lifetime; the hot path keeps that reference and never looks it up again.
//
// Threads: every method may be called from any thread. Counter/Gauge/Histogram updates are
// lock-free (relaxed atomics); `with()` and registration take a mutex, so call them at setup.
// render() takes the locks only to snapshot pointers; callbacks run without any lock held.
//
// Errors: registration and `with()` throw std::invalid_argument on programming errors (bad or
// duplicate names, wrong number of label values). Both belong to start-up, never to the check path.
//
// Example:
//   MetricsRegistry registry;
//   CounterFamily& checks = registry.add_counter("gaia_checks_total", "Admission checks.",
//                                                {"type", "decision"});
//   Counter& shell_admitted = checks.with({"shell", "admitted"});  // keep it
//   shell_admitted.inc();                                           // lock-free
//   std::string body = registry.render();

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace gaia::metrics {

namespace detail {

// Counts are kept in one slot per thread and summed when read, so that io threads counting the
// same series never write the same cache line. Threads are dealt slots in turn: past kShards
// threads, two share a slot (still exact: every add is atomic).
inline constexpr std::size_t kShards = 8;
inline std::size_t shard_of_this_thread() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

// A slot of its own cache line.
template <typename T>
struct alignas(64) Shard {
  std::atomic<T> value{0};
};

}  // namespace detail

// A monotonically increasing integer. Integers, not doubles: exact and one atomic add.
class Counter {
 public:
  void inc(uint64_t n = 1) {
    shards_[detail::shard_of_this_thread()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t value() const;

 private:
  // Relaxed: a sample orders nothing else; a scrape may see any recent value.
  std::array<detail::Shard<uint64_t>, detail::kShards> shards_;
};

// A value that goes up and down, or (callback form) one computed when rendered.
class Gauge {
 public:
  Gauge() = default;
  explicit Gauge(std::function<double()> fn) : fn_(std::move(fn)) {}

  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double d = 1) { add(d); }
  void dec(double d = 1) { add(-d); }
  // The stored value, or fn() for a callback gauge.
  double value() const { return fn_ ? fn_() : value_.load(std::memory_order_relaxed); }
  bool is_callback() const { return static_cast<bool>(fn_); }

 private:
  void add(double d);

  static_assert(std::atomic<double>::is_always_lock_free);
  std::atomic<double> value_{0};
  const std::function<double()> fn_;  // empty unless a callback gauge
};

// Counts observations into fixed buckets. Each bucket holds its own (non-cumulative) count so
// observe() touches one bucket; render() accumulates. There is no separate count: `_count` is
// the sum of the buckets, so `le="+Inf"` always equals `_count` even during concurrent observes.
// `_sum` is added separately and may lag or lead the buckets by in-flight observations.
class Histogram {
 public:
  // REQUIRES: `bounds` ascending, finite, and outliving this histogram (the family owns them).
  explicit Histogram(std::span<const double> bounds);

  // Adds 1 to the first bucket whose bound is >= v (the +Inf bucket if none, or v is NaN).
  void observe(double v);

  // Cumulative counts, one per bound then +Inf.
  std::vector<uint64_t> cumulative_counts() const;
  uint64_t count() const { return cumulative_counts().back(); }
  double sum() const;
  std::span<const double> bounds() const { return bounds_; }

 private:
  // Eight counts to a cache line; each thread's slot (detail::kShards) starts on a line of its
  // own, so that threads observing together never write the same line.
  struct alignas(64) Line {
    std::atomic<uint64_t> counts[8] = {};
  };

  const std::span<const double> bounds_;
  const std::size_t lines_per_shard_;
  const std::unique_ptr<Line[]> lines_;  // kShards * lines_per_shard_, zeroed
  std::array<detail::Shard<double>, detail::kShards> sums_;
};

class MetricsRegistry;

namespace detail {

// What every family shares: name, help, label names and the HELP/TYPE header.
class Family {
 public:
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends HELP, TYPE and every child's samples, children sorted by label values.
  void render(std::string& out) const;

 protected:
  // `type` is the TYPE keyword ("counter", ...), a string literal.
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         const char* type);
  virtual void render_samples(std::string& out) const = 0;
  // Throws std::invalid_argument unless there is one value per label name.
  void check_arity(const std::vector<std::string>& label_values) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const char* const type_;
};

// Children of one family keyed by label values. std::map: nodes never move, so child addresses
// stay valid, and iteration is sorted, which makes render() deterministic whatever the order in
// which threads created the children.
template <typename Child>
class Children {
 public:
  using Entry = std::pair<const std::vector<std::string>*, const Child*>;

  // The child for `values`, made by make() if absent. `found` says whether it already existed.
  template <typename Make>
  Child& get_or_create(const std::vector<std::string>& values, Make make, bool* found = nullptr) {
    core::MutexLock lock(mu_);
    auto it = map_.find(values);
    if (found != nullptr) *found = it != map_.end();
    if (it == map_.end()) it = map_.emplace(values, make()).first;
    return *it->second;
  }

  // Pointers to every child, to be read without the lock (children are never removed).
  std::vector<Entry> snapshot() const {
    core::MutexLock lock(mu_);
    std::vector<Entry> out;
    out.reserve(map_.size());
    for (const auto& [values, child] : map_) out.emplace_back(&values, child.get());
    return out;
  }

 private:
  mutable core::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Child>> map_ GUARDED_BY(mu_);
};

}  // namespace detail

class CounterFamily final : public detail::Family {
 public:
  // The counter for these label values (in label-name order), created at 0 if new.
  Counter& with(const std::vector<std::string>& label_values);

 private:
  friend class MetricsRegistry;
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : Family(std::move(name), std::move(help), std::move(label_names), "counter") {}
  void render_samples(std::string& out) const override;
  detail::Children<Counter> children_;
};

class GaugeFamily final : public detail::Family {
 public:
  // The settable gauge for these label values, created at 0 if new. Throws
  // std::invalid_argument if the tuple was registered by add_callback().
  Gauge& with(const std::vector<std::string>& label_values);
  // Makes the child for these label values report fn() at each render. fn runs on the
  // rendering thread with no registry lock held; it must be thread-safe and must not throw.
  // Throws std::invalid_argument if the tuple already has a child.
  void add_callback(const std::vector<std::string>& label_values, std::function<double()> fn);

 private:
  friend class MetricsRegistry;
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : Family(std::move(name), std::move(help), std::move(label_names), "gauge") {}
  void render_samples(std::string& out) const override;
  detail::Children<Gauge> children_;
};

class HistogramFamily final : public detail::Family {
 public:
  // The histogram for these label values, created empty if new.
  Histogram& with(const std::vector<std::string>& label_values);

 private:
  friend class MetricsRegistry;
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  void render_samples(std::string& out) const override;
  const std::vector<double> bounds_;  // children point into it
  detail::Children<Histogram> children_;
};

class MetricsRegistry {
 public:
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Each add_* registers a family and returns it; the reference lives as long as the registry.
  // A family without labels gets its single child at once, so it renders 0 before first use.
  // Throws std::invalid_argument if a name is invalid (metric `[a-zA-Z_:][a-zA-Z0-9_:]*`, label
  // `[a-zA-Z_][a-zA-Z0-9_]*` not starting with `__`), a label name repeats, or a sample name the
  // family would write is already taken by another family.

  // REQUIRES (checked): name ends in `_total`.
  CounterFamily& add_counter(std::string name, std::string help,
                             std::vector<std::string> label_names = {});
  GaugeFamily& add_gauge(std::string name, std::string help,
                         std::vector<std::string> label_names = {});
  // A label-less gauge whose value is fn() at each render (see GaugeFamily::add_callback).
  void add_callback_gauge(std::string name, std::string help, std::function<double()> fn);
  // `bounds` are the finite upper bounds, strictly ascending (may be empty); +Inf is implicit.
  // Writes `name_bucket`, `name_sum` and `name_count`; `le` may not be a label name.
  HistogramFamily& add_histogram(std::string name, std::string help, std::vector<double> bounds,
                                 std::vector<std::string> label_names = {});

  // Every family in registration order as Prometheus text format 0.0.4 (see kContentType).
  // A family with no children renders its HELP and TYPE lines only.
  std::string render() const;

 private:
  // Checks `family`'s label names and claims `sample_names`, then takes ownership.
  template <typename F>
  F& add(std::unique_ptr<F> family, std::vector<std::string> sample_names);

  mutable core::Mutex mu_;
  std::vector<std::unique_ptr<detail::Family>> families_ GUARDED_BY(mu_);
  std::set<std::string> sample_names_ GUARDED_BY(mu_);  // no two families write the same name
};

}  // namespace gaia::metrics
