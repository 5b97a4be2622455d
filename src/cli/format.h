#pragma once
// Text for people: durations in human units and left-aligned tables.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace gaia::cli {

// The two largest non-zero units, rounded up so a wait is never understated:
// 0 -> "0s", 900 -> "1s", 61'000 -> "1m 1s", 47'100'000 -> "13h 5m", 90'000'000 -> "1d 1h".
std::string format_duration(int64_t ms);

// Rows printed with each column padded to its widest cell, two spaces between columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // the header first
};

}  // namespace gaia::cli
