#pragma once
// CSV of a report table (RFC 4180): a header row, then one record per row; a field holding a
// comma, a double quote, CR or LF is quoted with its double quotes doubled; records end in
// CRLF. Threads: free functions.

#include <string>
#include <vector>

#include "analytics/report.h"

namespace gaia::api::admin {

// Appends `field` to `out`, quoted when it must be.
void append_csv_field(std::string& out, std::string_view field);
// Appends one record (fields comma-separated, CRLF-terminated).
void append_csv_record(std::string& out, const std::vector<analytics::Value>& values);
void append_csv_header(std::string& out, const std::vector<std::string>& columns);

}  // namespace gaia::api::admin
