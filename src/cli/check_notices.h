#pragma once
// What a check's answer tells its caller beyond admitted or refused, as gaia says it on
// stderr: the load throttle (and the delay gaia then waits before answering) and quota
// warnings. Used by gaia check; pure text from the answer's JSON (docs/api.md).

#include <boost/json/object.hpp>
#include <cstdint>
#include <ostream>
#include <string>

namespace gaia::cli {

// "the machine is under load (memory at 92 %, factor 0.3)", or "" without a "throttle".
std::string throttle_text(const boost::json::object& answer);

// The answer's throttle.delay_ms, 0 without one.
int64_t throttle_delay_ms(const boost::json::object& answer);

// One line per entry of the answer's "warnings":
// "gaia: warning: quota daily of shell at 80 % (8 of 10 used), resets in 4h 2m".
void print_warnings(const boost::json::object& answer, std::ostream& err);

}  // namespace gaia::cli
