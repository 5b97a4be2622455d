#include "cli/check_notices.h"

#include <cmath>

#include "cli/detail/api_call.h"
#include "cli/format.h"

namespace gaia::cli {
namespace {

using detail::int_field;
using detail::string_field;

const boost::json::object* object_field(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr ? v->if_object() : nullptr;
}

double number_field(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && v->is_number() ? v->to_number<double>() : 0.0;
}

std::string percent(double pct) { return std::to_string(std::lround(pct)) + " %"; }

}  // namespace

std::string throttle_text(const boost::json::object& answer) {
  const boost::json::object* t = object_field(answer, "throttle");
  if (t == nullptr) return "";
  std::string why;
  const boost::json::object* reasons = object_field(*t, "why");
  if (const boost::json::value* by = t->if_contains("limited_by");
      by != nullptr && by->is_array() && reasons != nullptr) {
    for (const boost::json::value& r : by->get_array()) {
      if (!r.is_string()) continue;
      const boost::json::object* figures = object_field(*reasons, r.get_string());
      if (figures == nullptr) continue;
      why += (why.empty() ? "" : ", ") + std::string(r.get_string() == "cpu" ? "CPU" : "memory") +
             " at " + percent(number_field(*figures, "pct"));
    }
  }
  std::string factor = std::to_string(number_field(*t, "factor"));
  while (factor.size() > 1 && factor.back() == '0') factor.pop_back();
  if (!factor.empty() && factor.back() == '.') factor.pop_back();
  return "the machine is under load (" + (why.empty() ? "" : why + ", ") + "factor " + factor + ")";
}

int64_t throttle_delay_ms(const boost::json::object& answer) {
  const boost::json::object* t = object_field(answer, "throttle");
  return t == nullptr ? 0 : int_field(*t, "delay_ms");
}

void print_warnings(const boost::json::object& answer, std::ostream& err) {
  const boost::json::value* warnings = answer.if_contains("warnings");
  if (warnings == nullptr || !warnings->is_array()) return;
  for (const boost::json::value& v : warnings->get_array()) {
    if (!v.is_object()) continue;
    const boost::json::object& w = v.get_object();
    err << "gaia: warning: quota " << string_field(w, "policy") << " of " << string_field(w, "type")
        << " at " << percent(number_field(w, "used_pct")) << " (" << int_field(w, "used") << " of "
        << int_field(w, "limit") << " used)";
    if (int_field(w, "reset_ms") > 0)
      err << ", resets in " << format_duration(int_field(w, "reset_ms"));
    err << '\n';
  }
}

}  // namespace gaia::cli
