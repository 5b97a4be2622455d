// libFuzzer target: any bytes as JSON from outside (http::parse_strict_json). It takes exactly
// what Boost.JSON's own parser takes, less a member name given twice and a number past a
// double's range: what it accepts is the value Boost.JSON builds; what it refuses for either,
// Boost.JSON parses; what Boost.JSON refuses, it refuses as the body.

#include <boost/json/src.hpp>  // Boost.JSON compiled into this target (no CMake here)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "http/strict_json.h"

using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  const boost::json::value plain = boost::json::parse(in, ec);
  auto strict = gaia::http::parse_strict_json(in);
  if (const auto* v = std::get_if<boost::json::value>(&strict)) {
    check(!ec && *v == plain);
  } else {
    const auto& refused = std::get<gaia::core::FieldError>(strict);
    if (ec) {
      check(refused.field == "body" && refused.message.rfind("not valid JSON: ", 0) == 0);
    } else {
      check(!refused.field.empty() && (refused.message == "is given more than once" ||
                                       refused.message == "must be a finite number"));
    }
  }
  return 0;
}
