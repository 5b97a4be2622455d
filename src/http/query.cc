#include "http/query.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

namespace gaia::http {

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  // Boost 1.81's parse_query measures its input again with strlen: it must end in a NUL.
  const std::string terminated(query);
  auto params = boost::urls::parse_query(terminated);
  if (!params) return std::nullopt;
  const boost::urls::encoding_opts form(/*space_as_plus=*/true);
  for (const boost::urls::param_pct_view p : *params) {
    if (p.key.decode(form) != name) continue;
    if (!p.has_value || p.value.empty()) return std::nullopt;
    return p.value.decode(form);
  }
  return std::nullopt;
}

}  // namespace gaia::http
