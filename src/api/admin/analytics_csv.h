#pragma once
// CSV of a report table (RFC 4180): a header row, then one record per row; a field holding a
// comma, a double quote, CR or LF is quoted with its double quotes doubled; records end in
// CRLF. A text field a spreadsheet would take for a formula (its first character one of
// = + - @, tab or CR: OWASP's "CSV injection" list) is written with a single quote in front,
// so it opens as text; numbers are ours and written as they are. Threads: free functions.

#include <string>
#include <vector>

#include "analytics/report.h"

namespace gaia::api::admin {

// Appends text `field` to `out`: neutralised when it could start a formula, quoted when it
// must be.
void append_csv_field(std::string& out, std::string_view field);
// Appends one record (fields comma-separated, CRLF-terminated).
void append_csv_record(std::string& out, const std::vector<analytics::Value>& values);
void append_csv_header(std::string& out, const std::vector<std::string>& columns);

}  // namespace gaia::api::admin
