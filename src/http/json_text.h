#pragma once
// JSON text as Gaia writes it on the wire: Boost.JSON's values, with every number in plain
// decimal notation ("70.0", "0.35", never "7E1" as boost::json::serialize writes a double; a
// whole double keeps ".0" so that it reads back as a double).
// Doubles take the shortest decimal that reads back as the same double (std::to_chars); a
// double that is not finite, which JSON cannot carry, is written as null. Strings are escaped
// as RFC 8259 requires (", \ and control characters), UTF-8 passed through.
// Pure; any thread.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace gaia::http {

// `v` as JSON text.
std::string json_text(const boost::json::value& v);
// The same for an object, without copying it into a value first.
std::string object_json_text(const boost::json::object& o);

// Appends `v` as JSON text to `out`.
void append_json_text(std::string& out, const boost::json::value& v);

}  // namespace gaia::http
