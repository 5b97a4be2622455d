#include "api/admin/analytics_csv.h"

namespace gaia::api::admin {

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
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
