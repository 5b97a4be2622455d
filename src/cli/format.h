#pragma once
// Text for people: durations in human units, times in the local zone, left-aligned tables.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace gaia::cli {

// The two largest non-zero units, rounded up so a wait is never understated:
// 0 -> "0s", 900 -> "1s", 61'000 -> "1m 1s", 47'100'000 -> "13h 5m", 90'000'000 -> "1d 1h".
std::string format_duration(int64_t ms);

// How long ago `then_ms` was at `now_ms` (both ms since the epoch), in the largest whole
// unit: "just now" (under 1 s), "42 s ago", "3 min ago", "5 h ago", "2 days ago"; a time
// ahead reads "in 3 min".
std::string format_age(int64_t then_ms, int64_t now_ms);

// `unix_ms` in the local time zone as RFC 3339 to the second: "2026-01-05T10:00:00+01:00".
std::string format_local_time(int64_t unix_ms);

// Both: "2026-01-05T10:00:00+01:00 (3 min ago)"; "-" for 0 or less (no time).
std::string format_when(int64_t unix_ms, int64_t now_ms);

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
