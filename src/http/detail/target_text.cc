#include "http/detail/target_text.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <set>
#include <string>
#include <string_view>

#include "core/text_check.h"

namespace gaia::http::detail {
std::optional<Response> refused_target(const Request& req) {
  // The fixed segments of a matched path are ours; its parameters are the caller's.
  for (const Header& p : req.path_params) {
    if (const char* problem = core::text_problem(p.value))
      return field_error_response(p.name, problem);
  }
  if (req.query.empty()) return std::nullopt;
  auto params = boost::urls::parse_query(req.query);
  if (!params)
    return field_error_response("query", "is not a valid query string (malformed %-escape?)");
  const boost::urls::encoding_opts form(/*space_as_plus=*/true);
  std::set<std::string> names;
  for (const boost::urls::param_pct_view p : *params) {
    std::string name = p.key.decode(form);
    if (const char* problem = core::text_problem(name))
      return field_error_response("query", problem);
    if (!names.insert(name).second) return field_error_response(name, "is given more than once");
    if (!p.has_value) continue;
    if (const char* problem = core::text_problem(p.value.decode(form))) {
      return field_error_response(name, problem);
    }
  }
  return std::nullopt;
}

}  // namespace gaia::http::detail
