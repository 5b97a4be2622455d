#include "app/access_log.h"

#include <spdlog/logger.h>

#include <cstdio>
#include <string>
#include <variant>

#include "api/api_support.h"
#include "app/log_sink.h"

namespace gaia::app {

namespace {

// An access line is rate-limited with its status class ("[ACCESS] 2xx"): a flood of 429s
// does not hide the 500s.
constexpr uint32_t kAccessLinesPerSecond = 200;

}  // namespace

core::Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& path,
                                                         const LogOptions& options,
                                                         const identity::Directory& directory) {
  std::shared_ptr<LogSink> sink;
  if (path == "-") {
    sink = std::make_shared<LogSink>(stdout, stdout, spdlog::level::off, kAccessLinesPerSecond);
  } else {
    auto opened = LogSink::open_file(path, kAccessLinesPerSecond);
    if (!opened.ok()) return opened.status();
    sink = std::move(opened.value());
  }
  sink->set_formatter(std::make_unique<LogFormatter>(options.format));
  auto logger = std::make_shared<spdlog::logger>("ACCESS", sink);
  logger->set_level(spdlog::level::info);
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(logger), directory));
}

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger, const identity::Directory& directory)
    : logger_(std::move(logger)), directory_(directory) {}

AccessLog::~AccessLog() { logger_->flush(); }

void AccessLog::answered(const http::AccessRecord& r) {
  std::string user = "-";
  auto caller = api::authenticate(r.request, directory_, /*admin_only=*/false);
  if (auto* c = std::get_if<identity::Caller>(&caller)) user = c->user_name;
  // The status class first: it is the kind the flood guard counts by (app/log_flood.h).
  logger_->info("{}xx: method={} path={} status={} bytes={} duration_ms={:.2f} user={}",
                r.status / 100, r.request.method, r.request.path, r.status,
                r.body_bytes ? std::to_string(*r.body_bytes) : std::string("-"),
                static_cast<double>(r.duration.count()) / 1000, user);
}

}  // namespace gaia::app
