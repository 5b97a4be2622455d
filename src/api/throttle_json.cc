#include "api/throttle_json.h"

#include <boost/json/array.hpp>
#include <cmath>

#include "http/ratelimit_fields.h"

namespace gaia::api {
namespace {

const char* action_of(const core::Admission& a) {
  if (a.refuse) return "refuse";
  if (a.hold) return "wait";
  return "delay";
}

// A percentage to one decimal: 91.73 -> 91.7.
double tenths(double pct) { return std::round(pct * 10) / 10; }

}  // namespace

boost::json::object throttle_json(const exec::ThrottleNotice& t, boost::json::storage_ptr sp) {
  const core::Admission& a = t.admission;
  boost::json::object o(sp);
  o["factor"] = t.state.factor;
  o["action"] = action_of(a);
  o["delay_ms"] = a.delay.count();
  if (a.hold) {
    o["wait_ms"] = t.recheck.count();
    o["max_wait_ms"] = a.max_wait.count();
  }
  if (a.refuse) o["retry_after_s"] = a.retry_after.count();
  boost::json::array limited_by(sp);
  if (t.state.cpu_factor <= t.state.factor) limited_by.push_back("cpu");
  if (t.state.memory_factor <= t.state.factor) limited_by.push_back("memory");
  o["limited_by"] = std::move(limited_by);
  boost::json::object why(sp);
  why["cpu"] = {{"pct", tenths(t.cpu_pct)}, {"factor", t.state.cpu_factor}};
  why["memory"] = {{"pct", tenths(t.mem_pct)}, {"factor", t.state.memory_factor}};
  if (t.cpu_pressure_pct || t.memory_pressure_pct) {
    boost::json::object pressure(sp);
    if (t.cpu_pressure_pct) pressure["cpu"] = tenths(*t.cpu_pressure_pct);
    if (t.memory_pressure_pct) pressure["memory"] = tenths(*t.memory_pressure_pct);
    why["pressure"] = std::move(pressure);
  }
  o["why"] = std::move(why);
  return o;
}

std::string throttle_reason(const exec::ThrottleNotice& t) {
  auto pct = [](double p) { return std::to_string(static_cast<int>(std::lround(p))) + " %"; };
  std::string out;
  if (t.state.cpu_factor <= t.state.factor) out = "CPU at " + pct(t.cpu_pct);
  if (t.state.memory_factor <= t.state.factor) {
    out += (out.empty() ? "" : ", ") + std::string("memory at ") + pct(t.mem_pct);
  }
  return out;
}

boost::json::object warning_json(const exec::QuotaWarning& w, const core::RuleSet& rules,
                                 boost::json::storage_ptr sp) {
  boost::json::object o = http::limit_json(w.state, rules, sp);
  o["threshold_pct"] = w.threshold_pct;
  o["used_pct"] =
      w.state.limit.amount == 0 ? 100.0 : tenths(100.0 * w.state.used / w.state.limit.amount);
  return o;
}

}  // namespace gaia::api
