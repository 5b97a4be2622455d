#include "metrics/check_stats.h"

#include <charconv>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace gaia::metrics {

namespace {

constexpr std::string_view kSeries = "gaia_checks_total{";

// The value of label `name` in a rendered series, or an empty view. The labels read here
// (decision, type) never contain quotes or backslashes, so no unescaping is needed.
std::string_view label(std::string_view series, std::string_view name) {
  std::string key = std::string(name) + "=\"";
  std::size_t at = series.find(key);
  if (at == std::string_view::npos) return {};
  std::size_t start = at + key.size();
  std::size_t end = series.find('"', start);
  return end == std::string_view::npos ? std::string_view() : series.substr(start, end - start);
}

}  // namespace

boost::json::object check_stats(const MetricsRegistry& registry) {
  // The registry offers no per-family reader; its text rendering is the one public view, and
  // at one call per stats interval its cost does not matter.
  const std::string text = registry.render();
  uint64_t admitted = 0, refused = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> per_type;  // admitted, refused
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (!line.starts_with(kSeries)) continue;
    std::size_t close = line.rfind("} ");
    if (close == std::string_view::npos) continue;
    uint64_t n = 0;
    std::string_view number = line.substr(close + 2);
    if (std::from_chars(number.data(), number.data() + number.size(), n).ec != std::errc()) {
      continue;
    }
    std::string_view decision = label(line.substr(0, close), "decision");
    std::string_view type = label(line.substr(0, close), "type");
    if (decision != "admitted" && decision != "refused") continue;
    auto& [type_admitted, type_refused] = per_type[std::string(type)];
    (decision == "admitted" ? admitted : refused) += n;
    (decision == "admitted" ? type_admitted : type_refused) += n;
  }
  boost::json::object by_type;
  for (const auto& [type, counts] : per_type) {
    by_type[type] = boost::json::object{{"admitted", counts.first}, {"refused", counts.second}};
  }
  return {{"admissions", admitted}, {"refusals", refused}, {"by_type", std::move(by_type)}};
}

}  // namespace gaia::metrics
