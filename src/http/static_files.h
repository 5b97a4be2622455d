#pragma once
// StaticFiles: serves a fixed set of files held in memory (the dashboard, embedded in the
// binary at build time by cmake/embed_files.cmake) under one mount path:
//   GET <mount>  and  GET <mount>/   the file "index.html"
//   GET <mount>/<path>               the file <path>, e.g. /admin/quotas/js/app.js
// Every answer carries a strict Content-Security-Policy (scripts, styles and connections
// from this origin only, nothing inline, no framing), X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer, a strong ETag (a hash of the bytes) and Cache-Control:
// no-cache, so a browser revalidates and a matching If-None-Match answers 304 with no body.
//
// Ownership: the files' bytes must outlive the StaticFiles (the embedded ones are static).
// Threads: immutable after construction; serve() may run on every io thread at once.
//
// Example:
//   http::add_static_routes(router, web::dashboard_files(), "/admin/quotas");

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "http/router.h"

namespace gaia::http {

struct StaticFile {
  std::string_view path;          // relative to the mount, e.g. "js/app.js"; no leading '/'
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

// The policy every static answer carries.
inline constexpr std::string_view kDashboardCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

class StaticFiles {
 public:
  // `mount` has a leading '/' and no trailing one, e.g. "/admin/quotas".
  StaticFiles(std::span<const StaticFile> files, std::string mount);

  // The answer to a GET of `req.path`: 200 with the file, 304 when If-None-Match names its ETag,
  // 404 for a path that is not one of the files.
  Response serve(const Request& req) const;

  // The request paths served, the mount itself first.
  std::vector<std::string> paths() const;

  // The ETag of the file at `path` (relative to the mount), or "" if there is none.
  std::string etag(std::string_view path) const;

 private:
  struct Entry {
    StaticFile file;
    std::string etag;  // quoted, e.g. "\"9f86d081884c7d65\""
  };
  const Entry* find(std::string_view request_path) const;

  std::string mount_;
  std::vector<Entry> entries_;
};

// Registers GET for every path of `files` (see StaticFiles). `files` must outlive
// the router.
void add_static_routes(Router& router, const StaticFiles& files);

}  // namespace gaia::http

namespace gaia::web {
// The dashboard's files (web/), generated into the gaia_web library by web/CMakeLists.txt.
std::span<const http::StaticFile> dashboard_files();
}  // namespace gaia::web
