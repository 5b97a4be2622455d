#pragma once
// The server's log: every line it writes, from its own streams (the [INIT], [INFO], [WARN],
// [ERROR] and [ALERT] lines) and from spdlog, escaped in one place (core/log_escape.h), so a
// value from outside (a rule name, a command, a setting, a database error) can neither forge
// a line nor colour a terminal. Call sites write values as they are.
//
// A LogLines stream is line-buffered per thread: what a thread writes up to std::endl (or
// a flush) is escaped and written to the underlying stream as one line, under a lock, so
// lines of different threads never interleave. Thread-safe.

#include <ostream>
#include <streambuf>
#include <string>

#include "core/mutex.h"

namespace gaia::app {

class LogLines : public std::ostream {
 public:
  // `sink` must outlive this stream.
  explicit LogLines(std::ostream& sink);

 private:
  class Buffer : public std::streambuf {
   public:
    explicit Buffer(std::ostream& sink) : sink_(sink) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

   private:
    std::string& pending();  // this thread's line so far

    core::Mutex mu_;
    std::ostream& sink_ GUARDED_BY(mu_);
  };

  Buffer buffer_;
};

// Makes spdlog's default logger escape every message the same way.
void escape_spdlog_messages();

}  // namespace gaia::app
