#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace gaia::metrics {
namespace {

// Adds `d` with a CAS loop: lock-free, and TSan sees only atomic accesses. Relaxed, as for
// Counter: a sample orders nothing else.
void add_relaxed(std::atomic<double>& a, double d) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + d, std::memory_order_relaxed,
                                  std::memory_order_relaxed)) {
  }
}

bool is_letter_or_underscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view s) {
  if (s.empty() || !(is_letter_or_underscore(s[0]) || s[0] == ':')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_letter_or_underscore(c) || is_digit(c) || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*, and `__` is reserved for Prometheus' own labels.
bool valid_label_name(std::string_view s) {
  if (s.empty() || !is_letter_or_underscore(s[0]) || s.starts_with("__")) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_letter_or_underscore(c) || is_digit(c); });
}

// Go's strconv.ParseFloat reads all of these: shortest round-trip digits ("0.001", "1e-06",
// "3"), plus the spellings Prometheus uses for the non-finite values.
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];  // shortest form of a double is at most 24 chars
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// HELP text escapes `\` and newline; label values also escape `"`.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Appends `<name><suffix>{l1="v1",...,le="<le>"} ` (no braces without labels), ready for a value.
void append_series(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& names, const std::vector<std::string>& values,
                   std::string_view le = {}) {
  out += name;
  out += suffix;
  if (!names.empty() || !le.empty()) {
    out += '{';
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out += ',';
      out += names[i];
      out += "=\"";
      append_escaped(out, values[i], /*quote=*/true);
      out += '"';
    }
    if (!le.empty()) {
      if (!names.empty()) out += ',';
      out += "le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

[[noreturn]] void invalid(const std::string& what) { throw std::invalid_argument(what); }

}  // namespace

uint64_t Counter::value() const {
  uint64_t total = 0;
  for (const auto& shard : shards_) total += shard.value.load(std::memory_order_relaxed);
  return total;
}

void Gauge::add(double d) { add_relaxed(value_, d); }

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds),
      lines_per_shard_((bounds.size() + 1 + 7) / 8),
      lines_(std::make_unique<Line[]>(detail::kShards * lines_per_shard_)) {}

void Histogram::observe(double v) {
  // First bound >= v; `!(b >= v)` rather than `b < v` sends NaN to +Inf, as client_golang does.
  auto it =
      std::partition_point(bounds_.begin(), bounds_.end(), [v](double b) { return !(b >= v); });
  const auto bucket = static_cast<size_t>(it - bounds_.begin());
  const size_t shard = detail::shard_of_this_thread();
  lines_[shard * lines_per_shard_ + bucket / 8].counts[bucket % 8].fetch_add(
      1, std::memory_order_relaxed);
  add_relaxed(sums_[shard].value, v);
}

std::vector<uint64_t> Histogram::cumulative_counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t shard = 0; shard < detail::kShards; ++shard) {
      total +=
          lines_[shard * lines_per_shard_ + i / 8].counts[i % 8].load(std::memory_order_relaxed);
    }
    out[i] = total;
  }
  return out;
}

double Histogram::sum() const {
  double total = 0;
  for (const auto& shard : sums_) total += shard.value.load(std::memory_order_relaxed);
  return total;
}

namespace detail {

Family::Family(std::string name, std::string help, std::vector<std::string> label_names,
               const char* type)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type) {}

void Family::render(std::string& out) const {
  if (!help_.empty()) {
    out += "# HELP ";
    out += name_;
    out += ' ';
    append_escaped(out, help_, /*quote=*/false);
    out += '\n';
  }
  out += "# TYPE ";
  out += name_;
  out += ' ';
  out += type_;
  out += '\n';
  render_samples(out);
}

void Family::check_arity(const std::vector<std::string>& label_values) const {
  if (label_values.size() != label_names_.size()) {
    invalid(name_ + ": " + std::to_string(label_values.size()) + " label values for " +
            std::to_string(label_names_.size()) + " label names");
  }
}

}  // namespace detail

Counter& CounterFamily::with(const std::vector<std::string>& label_values) {
  check_arity(label_values);
  return children_.get_or_create(label_values, [] { return std::make_unique<Counter>(); });
}

void CounterFamily::render_samples(std::string& out) const {
  for (const auto& [values, counter] : children_.snapshot()) {
    append_series(out, name_, "", label_names_, *values);
    append_uint(out, counter->value());
    out += '\n';
  }
}

Gauge& GaugeFamily::with(const std::vector<std::string>& label_values) {
  check_arity(label_values);
  Gauge& g = children_.get_or_create(label_values, [] { return std::make_unique<Gauge>(); });
  if (g.is_callback()) invalid(name_ + ": with() on a callback gauge");
  return g;
}

void GaugeFamily::add_callback(const std::vector<std::string>& label_values,
                               std::function<double()> fn) {
  check_arity(label_values);
  if (!fn) invalid(name_ + ": empty callback");
  bool found = false;
  children_.get_or_create(
      label_values, [&fn] { return std::make_unique<Gauge>(std::move(fn)); }, &found);
  if (found) invalid(name_ + ": callback for label values that already have a gauge");
}

void GaugeFamily::render_samples(std::string& out) const {
  // Callbacks run here, after snapshot() has released the family lock.
  for (const auto& [values, gauge] : children_.snapshot()) {
    append_series(out, name_, "", label_names_, *values);
    append_double(out, gauge->value());
    out += '\n';
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(label_names), "histogram"),
      bounds_(std::move(bounds)) {}

Histogram& HistogramFamily::with(const std::vector<std::string>& label_values) {
  check_arity(label_values);
  return children_.get_or_create(label_values,
                                 [this] { return std::make_unique<Histogram>(bounds_); });
}

void HistogramFamily::render_samples(std::string& out) const {
  std::vector<std::string> les;  // once per render, not per child
  les.reserve(bounds_.size());
  for (double b : bounds_) {
    les.emplace_back();
    append_double(les.back(), b);
  }
  for (const auto& [values, histogram] : children_.snapshot()) {
    const std::vector<uint64_t> counts = histogram->cumulative_counts();
    for (size_t i = 0; i < les.size(); ++i) {
      append_series(out, name_, "_bucket", label_names_, *values, les[i]);
      append_uint(out, counts[i]);
      out += '\n';
    }
    append_series(out, name_, "_bucket", label_names_, *values, "+Inf");
    append_uint(out, counts.back());
    out += '\n';
    append_series(out, name_, "_sum", label_names_, *values);
    append_double(out, histogram->sum());
    out += '\n';
    append_series(out, name_, "_count", label_names_, *values);
    append_uint(out, counts.back());  // the +Inf bucket, by construction
    out += '\n';
  }
}

template <typename F>
F& MetricsRegistry::add(std::unique_ptr<F> family, std::vector<std::string> sample_names) {
  const std::string& name = family->name();
  if (!valid_metric_name(name)) invalid("invalid metric name: \"" + name + "\"");
  const std::vector<std::string>& labels = family->label_names();
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!valid_label_name(labels[i])) invalid(name + ": invalid label name \"" + labels[i] + "\"");
    if (std::find(labels.begin(), labels.begin() + i, labels[i]) != labels.begin() + i) {
      invalid(name + ": repeated label name \"" + labels[i] + "\"");
    }
  }
  core::MutexLock lock(mu_);
  for (const std::string& s : sample_names) {
    if (sample_names_.contains(s)) invalid(name + ": sample name \"" + s + "\" already registered");
  }
  sample_names_.insert(sample_names.begin(), sample_names.end());
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

CounterFamily& MetricsRegistry::add_counter(std::string name, std::string help,
                                            std::vector<std::string> label_names) {
  if (!name.ends_with("_total")) invalid("counter name must end in _total: \"" + name + "\"");
  std::vector<std::string> samples{name};
  CounterFamily& f = add(std::unique_ptr<CounterFamily>(new CounterFamily(
                             std::move(name), std::move(help), std::move(label_names))),
                         std::move(samples));
  if (f.label_names().empty()) f.with({});
  return f;
}

GaugeFamily& MetricsRegistry::add_gauge(std::string name, std::string help,
                                        std::vector<std::string> label_names) {
  std::vector<std::string> samples{name};
  GaugeFamily& f = add(std::unique_ptr<GaugeFamily>(new GaugeFamily(
                           std::move(name), std::move(help), std::move(label_names))),
                       std::move(samples));
  if (f.label_names().empty()) f.with({});
  return f;
}

void MetricsRegistry::add_callback_gauge(std::string name, std::string help,
                                         std::function<double()> fn) {
  if (!fn) invalid(name + ": empty callback");
  std::vector<std::string> samples{name};
  GaugeFamily& f =
      add(std::unique_ptr<GaugeFamily>(new GaugeFamily(std::move(name), std::move(help), {})),
          std::move(samples));
  f.add_callback({}, std::move(fn));
}

HistogramFamily& MetricsRegistry::add_histogram(std::string name, std::string help,
                                                std::vector<double> bounds,
                                                std::vector<std::string> label_names) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) invalid(name + ": bucket bounds must be finite");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      invalid(name + ": bucket bounds must be strictly ascending");
    }
  }
  if (std::find(label_names.begin(), label_names.end(), "le") != label_names.end()) {
    invalid(name + ": \"le\" is reserved for histogram buckets");
  }
  std::vector<std::string> samples{name, name + "_bucket", name + "_sum", name + "_count"};
  HistogramFamily& f =
      add(std::unique_ptr<HistogramFamily>(new HistogramFamily(
              std::move(name), std::move(help), std::move(label_names), std::move(bounds))),
          std::move(samples));
  if (f.label_names().empty()) f.with({});
  return f;
}

std::string MetricsRegistry::render() const {
  std::vector<const detail::Family*> families;
  {
    core::MutexLock lock(mu_);
    families.reserve(families_.size());
    for (const auto& f : families_) families.push_back(f.get());
  }
  std::string out;
  out.reserve(families.size() * 256);
  for (const detail::Family* f : families) f->render(out);
  return out;
}

}  // namespace gaia::metrics
