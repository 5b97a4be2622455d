#pragma once
// AccessLog: one line per HTTP request (GAIA_ACCESS_LOG), to a file or stdout:
//
//   2026-12-06T15:38:22.123Z [ACCESS] method=GET path=/api/v1/quota status=200 bytes=312
//       duration_ms=0.41 user=alice
//
// in the log's format (app/log_format.h: text, or JSON with these pairs as "msg"). The path
// is the target without its query string, so no secret in a query reaches the file; the
// user is the caller of the request's key or session cookie ("-" when none). Lines are
// rate-limited per status class like every log line (app/log_sink.h).
//
// Threads: answered() from every io thread.

#include <memory>
#include <string>

#include "app/log_lines.h"
#include "core/status.h"
#include "http/server.h"
#include "identity/directory.h"

namespace spdlog {
class logger;
}

namespace gaia::app {

class AccessLog final : public http::AccessObserver {
 public:
  // Opens `path` ("-": stdout). `directory` must outlive the log.
  static core::Result<std::unique_ptr<AccessLog>> open(const std::string& path,
                                                       const LogOptions& options,
                                                       const identity::Directory& directory);
  ~AccessLog() override;

  void answered(const http::AccessRecord& record) override;

 private:
  AccessLog(std::shared_ptr<spdlog::logger> logger, const identity::Directory& directory);

  const std::shared_ptr<spdlog::logger> logger_;
  const identity::Directory& directory_;
};

}  // namespace gaia::app
