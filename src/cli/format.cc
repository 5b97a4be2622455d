#include "cli/format.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

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

std::string format_age(int64_t then_ms, int64_t now_ms) {
  const int64_t delta = now_ms - then_ms;
  const int64_t s = (delta < 0 ? -delta : delta) / 1000;
  if (s < 1) return "just now";
  struct Unit {
    int64_t seconds;
    const char* one;
    const char* many;
  };
  constexpr Unit kUnits[] = {
      {86'400, " day", " days"}, {3'600, " h", " h"}, {60, " min", " min"}, {1, " s", " s"}};
  for (const Unit& u : kUnits) {
    if (s < u.seconds) continue;
    const int64_t n = s / u.seconds;
    const std::string text = std::to_string(n) + (n == 1 ? u.one : u.many);
    return delta < 0 ? "in " + text : text + " ago";
  }
  return "just now";  // unreachable: s >= 1
}

std::string format_local_time(int64_t unix_ms) {
  const time_t t = static_cast<time_t>(unix_ms / 1000);
  tm local{};
  if (localtime_r(&t, &local) == nullptr) return std::to_string(unix_ms);
  char text[96];  // room for any int the compiler imagines in each field
  const long offset_min = local.tm_gmtoff / 60;
  const long abs_min = offset_min < 0 ? -offset_min : offset_min;
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
                local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min,
                local.tm_sec, offset_min < 0 ? '-' : '+', abs_min / 60, abs_min % 60);
  return text;
}

std::string format_when(int64_t unix_ms, int64_t now_ms) {
  if (unix_ms <= 0) return "-";
  return format_local_time(unix_ms) + " (" + format_age(unix_ms, now_ms) + ")";
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
