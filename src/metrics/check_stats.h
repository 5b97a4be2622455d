#pragma once
// What the admin feed's `stats` message can report from the HTTP layer's own metrics:
// admission checks since start, admitted and refused, in total and by command type, read from
// the gaia_checks_total counters that POST /api/v1/check increments.
// Threads: any; reads the registry as a scrape of /metrics does.

#include <boost/json/object.hpp>

#include "metrics/registry.h"

namespace gaia::metrics {

// {"admissions": n, "refusals": n, "by_type": {"shell": {"admitted": n, "refused": n}, ...}}.
boost::json::object check_stats(const MetricsRegistry& registry);

}  // namespace gaia::metrics
