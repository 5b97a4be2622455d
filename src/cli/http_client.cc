#include "cli/http_client.h"

#include <algorithm>

#include "cli/line_splitter.h"

namespace gaia::cli {

RemoteHttpClient::RemoteHttpClient(Url url, std::chrono::milliseconds timeout,
                                   std::chrono::milliseconds connect_timeout, int interrupt_fd,
                                   std::string ca_file)
    : url_(std::move(url)),
      base_(url_.origin() + url_.path),
      client_({.peer = url_.authority(),
               .user_agent = "gaia-cli",
               .timeout = timeout,
               .connect_timeout = connect_timeout,
               .redirects = http::Redirects::kRefuse,
               .ca_file = std::move(ca_file),
               .interrupt_fd = interrupt_fd}) {
  while (base_.ends_with('/')) base_.pop_back();
}

core::Result<http::ClientRequest> RemoteHttpClient::outgoing(const HttpRequest& req,
                                                             std::string accept) const {
  // A CR or LF in a header value would let it end the header and inject others.
  const auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
  if (std::any_of(req.bearer_key.begin(), req.bearer_key.end(), control)) {
    return core::Status::invalid_argument("the API key contains control characters");
  }
  http::ClientRequest out{
      .method = req.method, .url = base_ + req.path, .headers = {}, .body = req.body};
  out.headers.emplace_back("Accept", std::move(accept));
  if (!req.bearer_key.empty())
    out.headers.emplace_back("Authorization", "Bearer " + req.bearer_key);
  if (!req.body.empty()) out.headers.emplace_back("Content-Type", "application/json");
  return out;
}

core::Result<HttpResponse> RemoteHttpClient::send(const HttpRequest& req) {
  core::Result<http::ClientRequest> out = outgoing(req, "application/json");
  if (!out.ok()) return out.status();
  return client_.fetch(out.value());
}

core::Status RemoteHttpClient::stream(const HttpRequest& req, const StreamHandler& handler) {
  core::Result<http::ClientRequest> out = outgoing(req, "application/x-ndjson, application/json");
  if (!out.ok()) return out.status();
  LineSplitter lines;
  const LineSplitter::LineFn on_line = [&handler](std::string_view line) {
    if (handler.on_line) handler.on_line(line);
  };
  const http::StreamCallbacks callbacks{
      .on_head = handler.on_head,
      .on_body = [&](std::string_view bytes) { return lines.feed(bytes, on_line); },
      .on_idle = handler.on_idle,
      .idle_interval = handler.idle_interval};
  // A partial last line of a body cut short is dropped: it is no whole line of the answer.
  if (core::Status s = client_.stream(out.value(), callbacks); !s.ok()) return s;
  lines.finish(on_line);
  return {};
}

core::Result<Url> parse_server_url(std::string_view text) {
  core::Result<Url> url = http::parse_url(text);
  if (url.ok() && !url->query.empty()) {
    return core::Status::invalid_argument("URL must be http[s]://host[:port][/path]: " +
                                          std::string(text));
  }
  return url;
}

}  // namespace gaia::cli
