#pragma once
// The body of POST /api/claude/confirm/request, read and validated at the edge:
//   {"command":"rm -rf build","cwd":"/src","type":"shell","session_id":"abc","tool":"Bash"}
// `command` is required; the rest are optional strings (type defaults to "shell"). Fields
// Gaia does not know are ignored, so that hook clients may send more context.
// Pure functions; any thread.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "core/field_error.h"

namespace gaia::confirm {

inline constexpr size_t kMaxConfirmCommandBytes = 64 * 1024;
inline constexpr size_t kMaxConfirmCwdBytes = 4096;
inline constexpr size_t kMaxConfirmFieldBytes = 256;

struct ConfirmRequest {
  std::string command;
  std::string cwd;
  std::string type = "shell";
  std::string session_id;
  std::string tool;
};

// The request, or the first bad field ("command: must be a string").
std::variant<ConfirmRequest, core::FieldError> confirm_request_from_json(
    const boost::json::value& v);

// The same from the raw body: a body that is not JSON is an error of field "body".
std::variant<ConfirmRequest, core::FieldError> parse_confirm_request(std::string_view body);

}  // namespace gaia::confirm
