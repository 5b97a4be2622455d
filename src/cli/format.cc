#include "cli/format.h"

#include <algorithm>

namespace gaia::cli {

std::string format_duration(int64_t ms) {
  if (ms <= 0) return "0s";
  struct Unit {
    int64_t seconds;
    const char* suffix;
  };
  constexpr Unit kUnits[] = {{86'400, "d"}, {3'600, "h"}, {60, "m"}, {1, "s"}};
  int64_t left = (ms + 999) / 1000;
  // Round up to the smaller of the two units shown, so "13h 4m 30s" reads "13h 5m".
  for (size_t i = 0; i + 1 < std::size(kUnits); ++i) {
    if (left >= kUnits[i].seconds) {
      const int64_t step = kUnits[i + 1].seconds;
      left = (left + step - 1) / step * step;
      break;
    }
  }
  std::string out;
  int shown = 0;
  for (const Unit& u : kUnits) {
    const int64_t n = left / u.seconds;
    left %= u.seconds;
    if (n == 0 && shown == 0) continue;
    if (n > 0) out += (out.empty() ? "" : " ") + std::to_string(n) + u.suffix;
    if (++shown == 2) break;
  }
  return out;
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

}  // namespace gaia::cli
