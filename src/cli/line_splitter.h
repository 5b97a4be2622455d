#pragma once
// LineSplitter: cuts a byte stream fed in pieces of any size into lines ending in '\n', as
// NDJSON is read off a socket: every complete line is handed over at once, a partial one is
// kept for the next piece. Not thread-safe.
//
// Example:
//   LineSplitter lines;
//   auto print = [](std::string_view line) { std::cout << line << '\n'; };
//   if (Status s = lines.feed(piece, print); !s.ok()) ...;   // for each piece
//   lines.finish(print);                                      // end of stream

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gaia::cli {

class LineSplitter {
 public:
  using LineFn = std::function<void(std::string_view line)>;

  // REQUIRES: max_line_bytes > 0.
  explicit LineSplitter(size_t max_line_bytes = 64 * 1024 * 1024)
      : max_line_bytes_(max_line_bytes) {}

  // Hands every line completed by `bytes` to `on_line`, without its '\n' (a '\r' before it is
  // kept: JSON reads it as whitespace). A line growing past max_line_bytes is internal; the
  // lines before it have been handed over, the rest of `bytes` is dropped.
  [[nodiscard]] core::Status feed(std::string_view bytes, const LineFn& on_line);

  // End of stream: hands a last line that had no '\n', if any, to `on_line`.
  void finish(const LineFn& on_line);

  // Bytes of a partial line held.
  size_t pending() const { return partial_.size(); }

 private:
  size_t max_line_bytes_;
  std::string partial_;
};

}  // namespace gaia::cli
