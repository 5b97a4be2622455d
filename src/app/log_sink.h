#pragma once
// LogSink: where the server's log lines go. Lines below `split_at`, and every line of a named
// logger (a kind: INIT, ALERT), go to `low`, the others to `high` (stdout and stderr for the
// server's log; one file for the access log), each written
// and flushed whole under one lock, so lines of different threads never interleave. Every
// line passes a FloodGuard first (app/log_flood.h): a kind of line floods no further than
// its rate, and a line then tells what was suppressed.
//
// Ownership: the FILE*s are borrowed (stdout, stderr) or owned when made by open_file().
// Threads: log() and flush() from any thread.

#include <spdlog/sinks/sink.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/log_flood.h"
#include "core/mutex.h"
#include "core/status.h"

namespace gaia::app {

class LogSink final : public spdlog::sinks::sink {
 public:
  // `low` and `high` must outlive the sink; `per_second` is each kind's rate (> 0).
  LogSink(std::FILE* low, std::FILE* high, spdlog::level::level_enum split_at, uint32_t per_second);
  // A sink writing every line to the file at `path`, appended to (made if absent).
  static core::Result<std::shared_ptr<LogSink>> open_file(const std::string& path,
                                                          uint32_t per_second);
  ~LogSink() override;

  void log(const spdlog::details::log_msg& msg) override;
  // Also tells what was suppressed and not told yet.
  void flush() override;
  void set_pattern(const std::string&) override {}  // the formatter decides the form
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  void write(const spdlog::details::log_msg& msg) REQUIRES(mu_);
  void tell_suppressed(const std::vector<std::pair<std::string, uint64_t>>& kinds,
                       const spdlog::details::log_msg& like) REQUIRES(mu_);

  core::Mutex mu_;
  std::FILE* const low_;
  std::FILE* const high_;
  const spdlog::level::level_enum split_at_;
  bool owns_files_ = false;
  std::unique_ptr<spdlog::formatter> formatter_ GUARDED_BY(mu_);
  FloodGuard guard_ GUARDED_BY(mu_);
};

}  // namespace gaia::app
