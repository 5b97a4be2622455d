#pragma once
// What a metric source (AlertMetrics, AlertDetectors) reads for `metric` at `scope`, as a map
// from each sample's key to its value, for comparing in one EXPECT_EQ.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/metric_source.h"

namespace gaia::app {

template <class Source>
std::map<std::string, double> samples_by_key(Source& source, std::string_view metric,
                                             alerts::ScopeKind scope) {
  std::vector<alerts::Sample> out;
  source.read(metric, scope, out);
  std::map<std::string, double> by_key;
  for (const alerts::Sample& s : out) by_key[s.key] = s.value;
  return by_key;
}

}  // namespace gaia::app
