#include "rls/rls_metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace gaia::rls {
namespace {

std::vector<Domain> two_domains() { return {Domain{"gaia", {}}, Domain{"edge", {}}}; }

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(RlsMetricsTest, CountsEachCallUnderItsDomainAndCode) {
  metrics::MetricsRegistry registry;
  RlsMetrics metrics(registry, two_domains());
  metrics.record(1, RlsCode::kOverLimit, 1e-5);
  metrics.record(1, RlsCode::kOverLimit, 1e-5);
  metrics.record(0, RlsCode::kOk, 1e-5);
  metrics.record(0, RlsCode::kPermissionDenied, 1e-5);

  const std::string text = registry.render();
  EXPECT_TRUE(has_line(text, R"(gaia_rls_requests_total{domain="edge",code="OVER_LIMIT"} 2)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(gaia_rls_requests_total{domain="gaia",code="OK"} 1)")) << text;
  EXPECT_TRUE(
      has_line(text, R"(gaia_rls_requests_total{domain="gaia",code="PERMISSION_DENIED"} 1)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(gaia_rls_requests_total{domain="gaia",code="OVER_LIMIT"} 0)"))
      << text;
  EXPECT_EQ(metrics.calls(), 4u);
}

TEST(RlsMetricsTest, ACallToNoDomainOfOursCountsAsUnknown) {
  metrics::MetricsRegistry registry;
  RlsMetrics metrics(registry, two_domains());
  metrics.record(RlsMetrics::kUnknownDomain, RlsCode::kNotFound, 1e-5);

  const std::string text = registry.render();
  EXPECT_TRUE(has_line(text, R"(gaia_rls_requests_total{domain="unknown",code="NOT_FOUND"} 1)"))
      << text;
  EXPECT_EQ(metrics.calls(), 1u);
}

}  // namespace
}  // namespace gaia::rls
