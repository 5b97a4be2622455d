#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metrics/registry.h"

namespace gaia::metrics {
namespace {

TEST(MetricsTest, ContentTypeIsTextFormat004) {
  EXPECT_STREQ(MetricsRegistry::kContentType, "text/plain; version=0.0.4; charset=utf-8");
}

TEST(MetricsTest, RendersCounterChildrenSortedByLabelValues) {
  MetricsRegistry registry;
  CounterFamily& checks = registry.add_counter("gaia_checks_total", "Admission checks by decision.",
                                               {"type", "decision"});
  checks.with({"shell", "denied"}).inc(3);
  checks.with({"file", "admitted"}).inc();
  checks.with({"shell", "admitted"});
  EXPECT_EQ(registry.render(),
            "# HELP gaia_checks_total Admission checks by decision.\n"
            "# TYPE gaia_checks_total counter\n"
            "gaia_checks_total{type=\"file\",decision=\"admitted\"} 1\n"
            "gaia_checks_total{type=\"shell\",decision=\"admitted\"} 0\n"
            "gaia_checks_total{type=\"shell\",decision=\"denied\"} 3\n");
}

TEST(MetricsTest, WithReturnsTheSameChildForTheSameLabels) {
  MetricsRegistry registry;
  CounterFamily& f = registry.add_counter("a_total", "A.", {"k"});
  Counter& first = f.with({"v"});
  f.with({"other"});  // a later insertion must not move `first`
  EXPECT_EQ(&first, &f.with({"v"}));
}

TEST(MetricsTest, RendersGaugesSetIncAndDec) {
  MetricsRegistry registry;
  GaugeFamily& g = registry.add_gauge("gaia_temperature_celsius", "Temperature.", {"room"});
  g.with({"a"}).set(21.5);
  g.with({"b"}).set(-3);
  g.with({"b"}).inc(0.25);
  g.with({"c"}).set(10);
  g.with({"c"}).dec();
  EXPECT_EQ(registry.render(),
            "# HELP gaia_temperature_celsius Temperature.\n"
            "# TYPE gaia_temperature_celsius gauge\n"
            "gaia_temperature_celsius{room=\"a\"} 21.5\n"
            "gaia_temperature_celsius{room=\"b\"} -2.75\n"
            "gaia_temperature_celsius{room=\"c\"} 9\n");
}

TEST(MetricsTest, RendersNonFiniteAndSmallGaugeValuesAsGoParseFloatReadsThem) {
  MetricsRegistry registry;
  registry.add_gauge("nan", "").with({}).set(std::numeric_limits<double>::quiet_NaN());
  registry.add_gauge("pinf", "").with({}).set(std::numeric_limits<double>::infinity());
  registry.add_gauge("ninf", "").with({}).set(-std::numeric_limits<double>::infinity());
  registry.add_gauge("tiny", "").with({}).set(1e-06);
  registry.add_gauge("huge", "").with({}).set(1e300);
  EXPECT_EQ(registry.render(),
            "# TYPE nan gauge\nnan NaN\n"
            "# TYPE pinf gauge\npinf +Inf\n"
            "# TYPE ninf gauge\nninf -Inf\n"
            "# TYPE tiny gauge\ntiny 1e-06\n"
            "# TYPE huge gauge\nhuge 1e+300\n");
}

TEST(MetricsTest, RendersHistogramWithCumulativeBuckets) {
  MetricsRegistry registry;
  HistogramFamily& f = registry.add_histogram("gaia_check_duration_seconds", "Check latency.",
                                              {0.001, 0.01, 0.1}, {"type"});
  Histogram& h = f.with({"shell"});
  h.observe(0.0005);
  h.observe(0.001);  // a bound is inclusive: le means "less or equal"
  h.observe(0.05);
  h.observe(0.5);
  h.observe(2);
  EXPECT_EQ(registry.render(),
            "# HELP gaia_check_duration_seconds Check latency.\n"
            "# TYPE gaia_check_duration_seconds histogram\n"
            "gaia_check_duration_seconds_bucket{type=\"shell\",le=\"0.001\"} 2\n"
            "gaia_check_duration_seconds_bucket{type=\"shell\",le=\"0.01\"} 2\n"
            "gaia_check_duration_seconds_bucket{type=\"shell\",le=\"0.1\"} 3\n"
            "gaia_check_duration_seconds_bucket{type=\"shell\",le=\"+Inf\"} 5\n"
            "gaia_check_duration_seconds_sum{type=\"shell\"} 2.5515\n"
            "gaia_check_duration_seconds_count{type=\"shell\"} 5\n");
}

TEST(MetricsTest, HistogramInfBucketEqualsCount) {
  MetricsRegistry registry;
  Histogram& h = registry.add_histogram("h", "", {1, 2}).with({});
  for (double v : {0.5, 1.5, 2.5, 3.5, std::numeric_limits<double>::quiet_NaN()}) h.observe(v);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<uint64_t>{1, 2, 5}));
  EXPECT_EQ(h.count(), 5u);
  EXPECT_TRUE(std::isnan(h.sum()));
  EXPECT_EQ(registry.render(),
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 1\n"
            "h_bucket{le=\"2\"} 2\n"
            "h_bucket{le=\"+Inf\"} 5\n"
            "h_sum NaN\n"
            "h_count 5\n");
}

TEST(MetricsTest, HistogramWithoutBoundsHasOnlyTheInfBucket) {
  MetricsRegistry registry;
  registry.add_histogram("h", "", {}).with({}).observe(7);
  EXPECT_EQ(registry.render(), "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 7\nh_count 1\n");
}

TEST(MetricsTest, EscapesHelpAndLabelValues) {
  MetricsRegistry registry;
  CounterFamily& f = registry.add_counter("esc_total", "Back\\slash and\nnewline \"kept\".", {"v"});
  f.with({"a\\b\"c\nd"}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP esc_total Back\\\\slash and\\nnewline \"kept\".\n"
            "# TYPE esc_total counter\n"
            "esc_total{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsTest, LabelledFamilyWithoutChildrenRendersOnlyHeader) {
  MetricsRegistry registry;
  registry.add_counter("empty_total", "Nothing yet.", {"k"});
  EXPECT_EQ(registry.render(), "# HELP empty_total Nothing yet.\n# TYPE empty_total counter\n");
}

TEST(MetricsTest, UnlabelledFamiliesRenderZeroBeforeFirstUse) {
  MetricsRegistry registry;
  registry.add_counter("c_total", "C.");
  registry.add_gauge("g", "G.");
  EXPECT_EQ(registry.render(),
            "# HELP c_total C.\n# TYPE c_total counter\nc_total 0\n"
            "# HELP g G.\n# TYPE g gauge\ng 0\n");
}

TEST(MetricsTest, RendersFamiliesInRegistrationOrder) {
  MetricsRegistry registry;
  registry.add_gauge("zz", "");
  registry.add_gauge("aa", "");
  EXPECT_EQ(registry.render(), "# TYPE zz gauge\nzz 0\n# TYPE aa gauge\naa 0\n");
}

TEST(MetricsTest, EvaluatesCallbackGaugeAtEachRender) {
  MetricsRegistry registry;
  int depth = 0;
  int calls = 0;
  registry.add_callback_gauge("gaia_queue_depth", "Queued requests.", [&] {
    ++calls;
    return static_cast<double>(depth);
  });
  EXPECT_EQ(calls, 0);
  depth = 4;
  EXPECT_EQ(registry.render(),
            "# HELP gaia_queue_depth Queued requests.\n# TYPE gaia_queue_depth gauge\n"
            "gaia_queue_depth 4\n");
  depth = 7;
  EXPECT_NE(registry.render().find("gaia_queue_depth 7\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

TEST(MetricsTest, LabelledCallbackGaugesMixWithSettableOnes) {
  MetricsRegistry registry;
  GaugeFamily& f = registry.add_gauge("q", "", {"queue"});
  f.add_callback({"b"}, [] { return 2.0; });
  f.with({"a"}).set(1);
  EXPECT_EQ(registry.render(), "# TYPE q gauge\nq{queue=\"a\"} 1\nq{queue=\"b\"} 2\n");
  EXPECT_THROW(f.with({"b"}), std::invalid_argument);
  EXPECT_THROW(f.add_callback({"a"}, [] { return 0.0; }), std::invalid_argument);
  EXPECT_THROW(f.add_callback({"c"}, nullptr), std::invalid_argument);
}

TEST(MetricsTest, RejectsInvalidMetricNames) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.add_gauge("", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("1abc", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("a-b", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("a b", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("caf\xc3\xa9", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_counter("requests", ""), std::invalid_argument);  // no _total
  EXPECT_NO_THROW(registry.add_gauge(":job:rate5m_", ""));
  EXPECT_NO_THROW(registry.add_gauge("_x9", ""));
}

TEST(MetricsTest, RejectsInvalidLabelNames) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.add_gauge("a", "", {"__name"}), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("b", "", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("c", "", {"9a"}), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("d", "", {""}), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("e", "", {"k", "k"}), std::invalid_argument);
  EXPECT_THROW(registry.add_histogram("f", "", {1}, {"le"}), std::invalid_argument);
  EXPECT_NO_THROW(registry.add_gauge("g", "", {"_k", "k_9"}));
  // A rejected family claims no name.
  EXPECT_NO_THROW(registry.add_gauge("a", ""));
}

TEST(MetricsTest, RejectsBadBucketBounds) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.add_histogram("h", "", {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.add_histogram("h", "", {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.add_histogram("h", "", {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  EXPECT_THROW(registry.add_histogram("h", "", {std::numeric_limits<double>::quiet_NaN()}),
               std::invalid_argument);
}

TEST(MetricsTest, RejectsNamesAnotherFamilyAlreadyWrites) {
  MetricsRegistry registry;
  registry.add_histogram("lat", "", {1});
  EXPECT_THROW(registry.add_gauge("lat", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("lat_count", ""), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("lat_bucket", ""), std::invalid_argument);
  registry.add_counter("x_total", "");
  EXPECT_THROW(registry.add_counter("x_total", ""), std::invalid_argument);
}

TEST(MetricsTest, RejectsWrongNumberOfLabelValues) {
  MetricsRegistry registry;
  CounterFamily& f = registry.add_counter("a_total", "", {"x", "y"});
  EXPECT_THROW(f.with({"1"}), std::invalid_argument);
  EXPECT_THROW(f.with({"1", "2", "3"}), std::invalid_argument);
  EXPECT_THROW(registry.add_histogram("h", "", {1}, {"x"}).with({}), std::invalid_argument);
}

TEST(MetricsTest, ConcurrentUpdatesSumExactly) {
  MetricsRegistry registry;
  CounterFamily& counters = registry.add_counter("c_total", "", {"k"});
  Gauge& gauge = registry.add_gauge("g", "").with({});
  Histogram& hist = registry.add_histogram("h", "", {0.5}).with({});
  // More buckets than a cache line's eight counts.
  Histogram& wide =
      registry.add_histogram("w", "", {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5}).with({});
  // More threads than counting slots (detail::kShards): some share one.
  constexpr int kThreads = 10;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every thread races to create the same child, then updates it without locks.
      Counter& c = counters.with({"shared"});
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        gauge.inc();
        hist.observe(i % 2 == 0 ? 0.25 : 1.0);  // 0.25 and 1.0: sums stay exact
        wide.observe(i % 12);
      }
      if (t == 0) (void)registry.render();  // a scrape during updates must be safe
    });
  }
  for (std::thread& th : threads) th.join();
  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  EXPECT_EQ(counters.with({"shared"}).value(), kTotal);
  EXPECT_EQ(gauge.value(), static_cast<double>(kTotal));
  EXPECT_EQ(hist.cumulative_counts(), (std::vector<uint64_t>{kTotal / 2, kTotal}));
  EXPECT_EQ(hist.sum(), kTotal / 2 * 0.25 + kTotal / 2 * 1.0);
  std::vector<uint64_t> wide_counts(11);
  double wide_sum = 0;
  for (int i = 0; i < kPerThread; ++i) {
    for (size_t b = std::min<size_t>(i % 12, 10); b < wide_counts.size(); ++b) {
      wide_counts[b] += kThreads;
    }
    wide_sum += kThreads * (i % 12);
  }
  EXPECT_EQ(wide.cumulative_counts(), wide_counts);
  EXPECT_EQ(wide.sum(), wide_sum);
  const std::string text = registry.render();
  EXPECT_NE(text.find("c_total{k=\"shared\"} 200000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"+Inf\"} 200000\nh_sum 125000\nh_count 200000\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace gaia::metrics
