// libFuzzer target: any bytes as a request's query string, read as the router reads it before
// any handler (http/detail/target_text.h) and as handlers then read it (http/query.h,
// Boost.URL). A query the router lets through yields only text: every parameter a handler
// asks for is valid UTF-8 without NUL, and no parameter is named twice.

#include <algorithm>
#include <boost/json/src.hpp>  // Boost.JSON compiled into this target (no CMake here)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_check.h"
#include "fuzz_check.h"
#include "http/detail/target_text.h"
#include "http/query.h"

using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gaia::http::Request req;
  req.method = "GET";
  req.path = "/fuzz";
  req.query.assign(reinterpret_cast<const char*>(data), size);
  const auto refused = gaia::http::detail::refused_target(req);
  if (refused) {
    check(refused->status == 400);
    return 0;
  }
  std::vector<std::string> names = gaia::http::query_names(req.query);
  std::sort(names.begin(), names.end());
  check(std::adjacent_find(names.begin(), names.end()) == names.end());
  // The first parameter's name, decoded, and a fixed one: what a handler would ask for.
  const std::string_view query = req.query;
  const std::string first(query.substr(0, query.find_first_of("=&")));
  for (const std::string& name : {first, std::string("user")}) {
    if (auto v = gaia::http::query_param(query, name)) {
      check(gaia::core::text_problem(*v) == nullptr);
    }
  }
  return 0;
}
