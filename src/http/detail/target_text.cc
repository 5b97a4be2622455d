#include "http/detail/target_text.h"

#include <string>
#include <string_view>

#include "core/text.h"
#include "core/text_check.h"

namespace gaia::http::detail {
namespace {

// `s` with %XX sequences decoded (a malformed one stays as written) and '+' as it is.
std::string percent_decoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = core::hex_value(s[i + 1]);
      const int lo = core::hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

Response refusal(std::string_view field, std::string_view problem) {
  return json_response(400, {{"error", "invalid_request"}, {"field", field}, {"message", problem}});
}

}  // namespace

std::optional<Response> non_text_target(const Request& req) {
  if (const char* problem = core::text_problem(percent_decoded(req.path))) {
    // Name the parameter when the router matched one; the fixed segments are ours.
    for (const Header& p : req.path_params) {
      if (core::text_problem(percent_decoded(p.value))) return refusal(p.name, problem);
    }
    return refusal("path", problem);
  }
  std::string_view query = req.query;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    const std::string name = percent_decoded(pair.substr(0, eq));
    if (const char* problem = core::text_problem(name)) return refusal("query", problem);
    if (eq != std::string_view::npos) {
      if (const char* problem = core::text_problem(percent_decoded(pair.substr(eq + 1)))) {
        return refusal(name, problem);
      }
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace gaia::http::detail
