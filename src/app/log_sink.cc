#include "app/log_sink.h"

#include <spdlog/pattern_formatter.h>

#include <cerrno>
#include <cstring>

#include "app/log_format.h"

namespace gaia::app {

LogSink::LogSink(std::FILE* low, std::FILE* high, spdlog::level::level_enum split_at,
                 uint32_t per_second)
    : low_(low),
      high_(high),
      split_at_(split_at),
      formatter_(std::make_unique<LogFormatter>(LogFormat::kText)),
      guard_(per_second) {}

core::Result<std::shared_ptr<LogSink>> LogSink::open_file(const std::string& path,
                                                          uint32_t per_second) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) {
    return core::Status::invalid_argument("cannot open " + path + ": " + std::strerror(errno));
  }
  auto sink = std::make_shared<LogSink>(f, f, spdlog::level::off, per_second);
  sink->owns_files_ = true;
  return sink;
}

LogSink::~LogSink() {
  flush();
  if (owns_files_) std::fclose(low_);
}

void LogSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  core::MutexLock lock(mu_);
  formatter_ = std::move(formatter);
}

void LogSink::log(const spdlog::details::log_msg& msg) {
  if (!should_log(msg.level)) return;
  const int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(msg.time.time_since_epoch()).count();
  const std::string kind = log_line_kind(
      log_tag(std::string_view(msg.logger_name.data(), msg.logger_name.size()), msg.level),
      std::string_view(msg.payload.data(), msg.payload.size()));
  core::MutexLock lock(mu_);
  tell_suppressed(guard_.expired(second), msg);
  if (guard_.admit(kind, second)) write(msg);
}

void LogSink::flush() {
  core::MutexLock lock(mu_);
  spdlog::details::log_msg now("", spdlog::level::warn, "");
  tell_suppressed(guard_.drain(), now);
  std::fflush(low_);
  std::fflush(high_);
}

void LogSink::tell_suppressed(const std::vector<std::pair<std::string, uint64_t>>& kinds,
                              const spdlog::details::log_msg& like) {
  for (const auto& [kind, count] : kinds) {
    const std::string text =
        "suppressed " + std::to_string(count) + " lines of " + kind + " in the last second";
    spdlog::details::log_msg told(like.logger_name, spdlog::level::warn, text);
    told.time = like.time;
    write(told);
  }
}

void LogSink::write(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  // Lines of a kind (INIT, ALERT) stay together on `low`, whatever their level.
  std::FILE* to = msg.level < split_at_ || msg.logger_name.size() > 0 ? low_ : high_;
  std::fwrite(line.data(), 1, line.size(), to);
  std::fflush(to);
}

}  // namespace gaia::app
