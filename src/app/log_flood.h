#pragma once
// FloodGuard: how a log stays readable under a flood. Each line has a kind (what it says,
// without the values that vary); a kind writes at most `per_second` lines in one second, the
// rest are counted, and once that second is over one line says how many were suppressed.
// Lines of one request or one refusal can then cost a bounded number of lines per second,
// however fast requests or refusals come.
//
// Pure: the time is the caller's (whole seconds). Not thread-safe: the log sink that owns a
// guard calls it under its own lock.
//
// Example:
//   FloodGuard guard(10);
//   for (auto& [kind, count] : guard.expired(now_s)) write("suppressed " + ...);
//   if (guard.admit(kind, now_s)) write(line);

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gaia::app {

class FloodGuard {
 public:
  // Kinds followed at once; past this, new kinds share one ("other lines").
  static constexpr std::size_t kMaxKinds = 512;

  // REQUIRES: per_second > 0.
  explicit FloodGuard(uint32_t per_second) : per_second_(per_second) {}

  // True when a line of `kind` may be written in second `now_s`; false when it is one too
  // many this second (then it is counted for expired()).
  bool admit(std::string_view kind, int64_t now_s);

  // The kinds whose lines were suppressed in a second before `now_s`, with how many, each
  // told once; those counts start again from zero.
  std::vector<std::pair<std::string, uint64_t>> expired(int64_t now_s);

  // Everything suppressed so far, whatever the second (at shutdown).
  std::vector<std::pair<std::string, uint64_t>> drain();

 private:
  struct Window {
    int64_t second = 0;
    uint32_t written = 0;
    uint64_t suppressed = 0;
  };

  const uint32_t per_second_;
  std::unordered_map<std::string, Window> kinds_;
  std::size_t with_suppressed_ = 0;  // kinds whose `suppressed` is above zero
};

// The kind of a log line: its tag and its text up to the first ':' (at most 48 bytes), which
// is where Gaia's lines put the value that varies: "[WARN] accept failed" for
// "accept failed: Too many open files".
std::string log_line_kind(std::string_view tag, std::string_view text);

}  // namespace gaia::app
