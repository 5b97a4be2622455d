#pragma once
// How a log line is written: one format for every line of the server, in text or JSON.
//
//   text: 2026-12-06T15:38:22.123Z [WARN] accept failed: Too many open files
//   json: {"time":"2026-12-06T15:38:22.123Z","level":"warn","tag":"WARN","msg":"accept failed:
//   ..."}
//
// The time is RFC 3339 in UTC with milliseconds. The tag is the logger's name when it has one
// (INIT, ALERT, ACCESS: lines of a kind), else the level's (DEBUG, INFO, WARN, ERROR). The
// message is escaped (core/log_escape.h) in both formats, so no value can forge a line; JSON
// then quotes it. Stateless; any thread.

#include <spdlog/formatter.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace gaia::app {

enum class LogFormat { kText, kJson };

class LogFormatter final : public spdlog::formatter {
 public:
  explicit LogFormatter(LogFormat format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogFormatter>(format_);
  }

 private:
  const LogFormat format_;
};

// "2026-12-06T15:38:22.123Z".
std::string rfc3339_utc(std::chrono::system_clock::time_point t);

// The tag of a line of `logger_name` at `level`.
std::string_view log_tag(std::string_view logger_name, spdlog::level::level_enum level);

}  // namespace gaia::app
