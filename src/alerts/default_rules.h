#pragma once
// The alert rules Gaia ships, stored once on a new database (Evaluator::load) and then the
// admins' to change; docs/alerts.md lists them with why each is on or off.

#include <vector>

#include "alerts/rule.h"

namespace gaia::alerts {

std::vector<AlertRule> default_rules();

}  // namespace gaia::alerts
