#pragma once
// How outside text is written into a log line: one line, whatever it holds. Control bytes
// (newline, carriage return, ESC and the rest of C0, DEL) and bytes that are not UTF-8 become
// \n, \r, \t or \xNN, and a backslash is doubled, so no value can forge a line, colour a
// terminal or hide what it was. Pure; any thread.

#include <string>
#include <string_view>

namespace gaia::core {

// Appends `text`, escaped, to `out`.
void append_log_escaped(std::string& out, std::string_view text);

}  // namespace gaia::core
