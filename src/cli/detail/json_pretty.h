#pragma once
// JSON for a person to read and edit (an agent's settings file): two-space indent, one member
// or element a line, members in their order. Private to src/cli.

#include <boost/json/value.hpp>
#include <string>

namespace gaia::cli::detail {

// `v` indented, ending with a newline.
std::string pretty_json(const boost::json::value& v);

}  // namespace gaia::cli::detail
