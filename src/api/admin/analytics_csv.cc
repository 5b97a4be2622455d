#include "api/admin/analytics_csv.h"

namespace gaia::api::admin {

namespace {

// Spreadsheets run a cell starting with one of these as a formula (OWASP, "CSV Injection").
bool starts_formula(std::string_view field) {
  return !field.empty() && std::string_view("=+-@\t\r").find(field[0]) != std::string_view::npos;
}

}  // namespace

void append_csv_field(std::string& out, std::string_view field) {
  const bool neutralise = starts_formula(field);
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    if (neutralise) out += '\'';
    out += field;
    return;
  }
  out += '"';
  if (neutralise) out += '\'';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_record(std::string& out, const std::vector<analytics::Value>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (const auto* n = std::get_if<int64_t>(&values[i])) {
      out += std::to_string(*n);
    } else {
      append_csv_field(out, std::get<std::string>(values[i]));
    }
  }
  out += "\r\n";
}

void append_csv_header(std::string& out, const std::vector<std::string>& columns) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    append_csv_field(out, columns[i]);
  }
  out += "\r\n";
}

}  // namespace gaia::api::admin
