// libFuzzer target: the query string of GET /api/admin/quotas/analytics, read as the endpoint
// reads it (parse_report_query). Nothing may crash or overflow (UBSan traps on a signed
// overflow), a refusal is a 400, and an accepted query is one the report may run: a range
// inside the years 0000 to 9999, from before to, at most kMaxReportBuckets buckets.

#include <boost/json/src.hpp>  // Boost.JSON compiled into this target (no CMake here)
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "api/admin/analytics_query.h"
#include "fuzz_check.h"

using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNowMs = 1'767'571'200'000;
  auto parsed = gaia::api::admin::parse_report_query(
      query, kNowMs, [](std::string_view name) -> std::optional<uint64_t> {
        if (name == "alice") return 1;
        return std::nullopt;
      });
  if (const auto* p = std::get_if<gaia::api::admin::ParsedReport>(&parsed)) {
    const gaia::analytics::ReportQuery& q = p->query;
    check(gaia::analytics::validate(q).ok());
    check(q.from_ms < q.to_ms);
    check(q.from_ms >= gaia::analytics::kMinReportTimeMs);
    check(q.to_ms <= gaia::analytics::kMaxReportTimeMs);
    check(!q.metrics.empty());
  } else {
    check(std::get<gaia::http::Response>(parsed).status == 400);
  }
  return 0;
}
