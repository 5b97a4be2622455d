#pragma once
// The server's log: every line it writes goes through spdlog's loggers to one LogSink
// (app/log_sink.h), in one format (app/log_format.h: RFC 3339 time, tag, escaped message;
// text or JSON), filtered by one level, each kind of line rate-limited. Lines below WARN, and
// the INIT and ALERT lines, go to stdout, WARN and ERROR to stderr.
//
// Two ways in: spdlog's default logger (what the modules call: spdlog::warn(...)), and a
// LogLines stream (what the app's start-up and chores write: `err << "[WARN] ..." <<
// std::endl`). A LogLines line that begins with a tag ([INIT], [INFO], [WARN], [ERROR],
// [ALERT]) is logged at that tag's level, the tag taken off the text; INIT and ALERT keep
// their tag through loggers of that name. Others take the stream's level.
//
// Threads: install_logging() once on main's thread before any other thread starts;
// everything else from any thread. A LogLines stream is line-buffered per thread.

#include <spdlog/common.h>

#include <cstdint>
#include <ostream>
#include <streambuf>
#include <string>

#include "app/config.h"
#include "app/log_format.h"
#include "core/status.h"

namespace gaia::app {

struct LogOptions {
  LogFormat format = LogFormat::kText;
  spdlog::level::level_enum level = spdlog::level::info;
  // Lines of one kind written per second at most; the rest are counted and told.
  uint32_t per_second = 20;
};

// The options `config` sets (log_format, log_level).
LogOptions log_options(const Config& config);

// Makes spdlog's default logger and the INIT and ALERT loggers write through one LogSink on
// stdout and stderr. Call again to change the options (tests).
void install_logging(const LogOptions& options);

class LogLines : public std::ostream {
 public:
  // Lines without a tag are logged at `level`.
  explicit LogLines(spdlog::level::level_enum level);

 private:
  class Buffer : public std::streambuf {
   public:
    explicit Buffer(spdlog::level::level_enum level) : level_(level) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

   private:
    std::string& pending();  // this thread's line so far

    const spdlog::level::level_enum level_;
  };

  Buffer buffer_;
};

// Logs `text` as one line: its tag, if it begins with one, decides the logger and level.
void log_line(std::string_view text, spdlog::level::level_enum untagged);

}  // namespace gaia::app
