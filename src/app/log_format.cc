#include "app/log_format.h"

#include <time.h>

#include <cstdio>

#include "core/log_escape.h"

namespace gaia::app {

namespace {

std::string_view level_word(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    default:
      return "error";
  }
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

// `text` is escaped already: no control byte is left, only quotes and backslashes need it.
void append_json_string(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') dest.push_back('\\');
    dest.push_back(c);
  }
  dest.push_back('"');
}

}  // namespace

std::string rfc3339_utc(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const time_t seconds = static_cast<time_t>(ms.count() / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char out[64];  // room for any int the compiler can imagine
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return out;
}

std::string_view log_tag(std::string_view logger_name, spdlog::level::level_enum level) {
  if (!logger_name.empty()) return logger_name;
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO";
    case spdlog::level::warn:
      return "WARN";
    default:
      return "ERROR";
  }
}

void LogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string text;
  core::append_log_escaped(text, std::string_view(msg.payload.data(), msg.payload.size()));
  const std::string time = rfc3339_utc(msg.time);
  const std::string_view tag =
      log_tag(std::string_view(msg.logger_name.data(), msg.logger_name.size()), msg.level);
  if (format_ == LogFormat::kText) {
    append(dest, time);
    append(dest, " [");
    append(dest, tag);
    append(dest, "] ");
    append(dest, text);
  } else {
    append(dest, "{\"time\":\"");
    append(dest, time);
    append(dest, "\",\"level\":\"");
    append(dest, level_word(msg.level));
    append(dest, "\",\"tag\":\"");
    append(dest, tag);
    append(dest, "\",\"msg\":");
    append_json_string(dest, text);
    dest.push_back('}');
  }
  dest.push_back('\n');
}

}  // namespace gaia::app
