#include "app/log_lines.h"

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "app/log_sink.h"

namespace gaia::app {

namespace {

struct Tag {
  std::string_view word;  // as written: "[INIT] "
  std::string_view logger;
  spdlog::level::level_enum level;
};

constexpr std::array<Tag, 5> kTags{{
    {"[INIT] ", "INIT", spdlog::level::info},
    {"[INFO] ", "", spdlog::level::info},
    {"[WARN] ", "", spdlog::level::warn},
    {"[ERROR] ", "", spdlog::level::err},
    {"[ALERT] ", "ALERT", spdlog::level::warn},
}};

}  // namespace

LogOptions log_options(const Config& config) {
  LogOptions o;
  o.format = config.log_format == "json" ? LogFormat::kJson : LogFormat::kText;
  o.level = config.log_level == "debug"   ? spdlog::level::debug
            : config.log_level == "warn"  ? spdlog::level::warn
            : config.log_level == "error" ? spdlog::level::err
                                          : spdlog::level::info;
  return o;
}

void install_logging(const LogOptions& options) {
  auto sink = std::make_shared<LogSink>(stdout, stderr, spdlog::level::warn, options.per_second);
  sink->set_formatter(std::make_unique<LogFormatter>(options.format));
  auto make = [&](const std::string& name) {
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(options.level);
    return logger;
  };
  spdlog::set_default_logger(make(""));
  for (const char* name : {"INIT", "ALERT"}) {
    spdlog::drop(name);
    spdlog::register_logger(make(name));
  }
}

void log_line(std::string_view text, spdlog::level::level_enum untagged) {
  std::shared_ptr<spdlog::logger> logger;
  spdlog::level::level_enum level = untagged;
  for (const Tag& tag : kTags) {
    if (!text.starts_with(tag.word)) continue;
    text.remove_prefix(tag.word.size());
    level = tag.level;
    if (!tag.logger.empty()) logger = spdlog::get(std::string(tag.logger));
    break;
  }
  if (!logger) logger = spdlog::default_logger();
  // "{}": the text is a value, never a format string.
  logger->log(level, "{}", text);
}

LogLines::LogLines(spdlog::level::level_enum level) : std::ostream(nullptr), buffer_(level) {
  rdbuf(&buffer_);
}

std::string& LogLines::Buffer::pending() {
  // Few streams live in a process (the server's out and err): a short list per thread.
  thread_local std::vector<std::pair<const Buffer*, std::string>> lines;
  for (auto& [buffer, line] : lines) {
    if (buffer == this) return line;
  }
  return lines.emplace_back(this, std::string()).second;
}

LogLines::int_type LogLines::Buffer::overflow(int_type c) {
  if (!traits_type::eq_int_type(c, traits_type::eof())) pending() += traits_type::to_char_type(c);
  return traits_type::not_eof(c);
}

std::streamsize LogLines::Buffer::xsputn(const char* s, std::streamsize n) {
  pending().append(s, static_cast<size_t>(n));
  return n;
}

int LogLines::Buffer::sync() {
  std::string& line = pending();
  if (line.empty()) return 0;
  // The one newline that ends the line is the writer's; any other is the value's, and the
  // formatter escapes it.
  if (line.back() == '\n') line.pop_back();
  log_line(line, level_);
  line.clear();
  return 0;
}

}  // namespace gaia::app
