#pragma once
// JSON from outside (request bodies, WebSocket messages), refusing what a plain parse would
// take silently:
// - a member name given twice in one object. RFC 8259 (section 4) leaves such a name to the
//   reader, and readers differ (Boost.JSON keeps the last, others the first), so a text that
//   repeats one could mean one thing to Gaia and another to a proxy or log reader before it;
// - a number past a double's range ("1e400", "0e99999"), which Boost.JSON reads as infinity
//   or NaN, values no range check of a field can be trusted with (RFC 8259 section 6 lets a
//   reader limit the range).

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <string_view>
#include <variant>

#include "core/field_error.h"

namespace gaia::http {

// The value `text` holds, allocated from `sp`; or why it is refused: the field "body" and
// "not valid JSON: ..." for a syntax error; else the path of the first refused member
// ("limits[1].period", "body" for the text as a whole) with "is given more than once" or
// "must be a finite number". Each thread keeps one parser, reset for
// each body, so what it allocated stays from one body to the next.
std::variant<boost::json::value, core::FieldError> parse_strict_json(
    std::string_view text, boost::json::storage_ptr sp = {});

}  // namespace gaia::http
