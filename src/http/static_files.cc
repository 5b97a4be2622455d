#include "http/static_files.h"

#include <cstdint>
#include <cstdio>

namespace gaia::http {

namespace {

// FNV-1a, 64 bits: a stable fingerprint of the bytes, enough to tell two versions apart.
std::string fingerprint(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(h));
  return text;
}

// True if the If-None-Match value `header` ("*", or a list of ETags, weak or strong) names
// `etag`.
bool matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

void add_security_headers(Response& r) {
  r.headers.push_back({"Content-Security-Policy", std::string(kDashboardCsp)});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  r.headers.push_back({"Referrer-Policy", "no-referrer"});
  r.headers.push_back({"X-Frame-Options", "DENY"});
}

}  // namespace

StaticFiles::StaticFiles(std::span<const StaticFile> files, std::string mount)
    : mount_(std::move(mount)) {
  entries_.reserve(files.size());
  for (const StaticFile& f : files) entries_.push_back({f, fingerprint(f.body)});
}

const StaticFiles::Entry* StaticFiles::find(std::string_view request_path) const {
  if (!request_path.starts_with(mount_)) return nullptr;
  std::string_view rest = request_path.substr(mount_.size());
  if (rest.empty() || rest == "/") {
    rest = "index.html";
  } else if (rest.front() == '/') {
    rest.remove_prefix(1);
  } else {
    return nullptr;  // "/admin/quotasX" is not under the mount
  }
  for (const Entry& e : entries_) {
    if (e.file.path == rest) return &e;
  }
  return nullptr;
}

Response StaticFiles::serve(const Request& req) const {
  const Entry* e = find(req.path);
  if (e == nullptr) {
    Response r = error_response(404, "not_found", "no such file");
    add_security_headers(r);
    return r;
  }
  Response r;
  r.content_type = e->file.content_type;
  add_security_headers(r);
  r.headers.push_back({"ETag", e->etag});
  // Revalidate every time: the names carry no version, and a 304 costs a few bytes.
  r.headers.push_back({"Cache-Control", "no-cache"});
  if (matches(req.header("If-None-Match"), e->etag)) {
    r.status = 304;
    return r;
  }
  r.body = std::string(e->file.body);
  return r;
}

std::vector<std::string> StaticFiles::paths() const {
  std::vector<std::string> out{mount_, mount_ + "/"};
  for (const Entry& e : entries_) out.push_back(mount_ + "/" + std::string(e.file.path));
  return out;
}

std::string StaticFiles::etag(std::string_view path) const {
  for (const Entry& e : entries_) {
    if (e.file.path == path) return e.etag;
  }
  return "";
}

void add_static_routes(Router& router, const StaticFiles& files) {
  for (const std::string& path : files.paths()) {
    router.add("GET", path, [&files](const Request& req) { return files.serve(req); });
  }
}

}  // namespace gaia::http
