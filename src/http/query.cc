#include "http/query.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

namespace gaia::http {

namespace {

// Boost 1.81's parse_query measures its input again with strlen: it must end in a NUL.
boost::urls::result<boost::urls::params_encoded_view> parse(const std::string& terminated) {
  return boost::urls::parse_query(terminated);
}

const boost::urls::encoding_opts kForm(/*space_as_plus=*/true);

}  // namespace

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  const std::string terminated(query);
  auto params = parse(terminated);
  if (!params) return std::nullopt;
  for (const boost::urls::param_pct_view p : *params) {
    if (p.key.decode(kForm) != name) continue;
    if (!p.has_value || p.value.empty()) return std::nullopt;
    return p.value.decode(kForm);
  }
  return std::nullopt;
}

std::vector<std::string> query_names(std::string_view query) {
  const std::string terminated(query);
  auto params = parse(terminated);
  if (!params) return {};
  std::vector<std::string> names;
  for (const boost::urls::param_pct_view p : *params) names.push_back(p.key.decode(kForm));
  return names;
}

}  // namespace gaia::http
