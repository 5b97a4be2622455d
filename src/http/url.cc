#include "http/url.h"

#include <curl/curl.h>

#include <boost/url/encode.hpp>
#include <boost/url/grammar/alnum_chars.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <charconv>
#include <memory>

#include "core/redact_url.h"

namespace gaia::http {
namespace {

using core::Result;
using core::Status;

struct UrlFree {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlFree>;

// The part of `h`, or "" when the URL has none.
std::string part(CURLU* h, CURLUPart which, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(h, which, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

// The URL is shown redacted: a refused one may still carry a password or a token.
Status invalid(std::string_view why, std::string_view text) {
  return Status::invalid_argument(std::string(why) + ": " + core::redacted_url(text));
}

}  // namespace

std::string Url::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::origin() const { return scheme + "://" + authority(); }

Result<Url> parse_url(std::string_view text) {
  if (!text.starts_with("http://") && !text.starts_with("https://")) {
    return invalid("URL must start with http:// or https://", text);
  }
  UrlHandle h(curl_url());
  if (!h) return Status::internal("out of memory");
  // As written: "/a/../b" is the caller's business, not ours to resolve.
  const CURLUcode rc =
      curl_url_set(h.get(), CURLUPART_URL, std::string(text).c_str(), CURLU_PATH_AS_IS);
  switch (rc) {
    case CURLUE_OK:
      break;
    case CURLUE_BAD_PORT_NUMBER:
      return invalid("bad port in URL", text);
    case CURLUE_NO_HOST:
      return invalid("URL has no host", text);
    default:
      return invalid(std::string("bad URL (") + curl_url_strerror(rc) + ")", text);
  }
  if (!part(h.get(), CURLUPART_USER).empty() || !part(h.get(), CURLUPART_PASSWORD).empty()) {
    return invalid("credentials in a URL are not supported", text);
  }
  if (!part(h.get(), CURLUPART_FRAGMENT).empty()) return invalid("a URL has no #fragment", text);

  Url url;
  url.scheme = part(h.get(), CURLUPART_SCHEME);
  url.host = part(h.get(), CURLUPART_HOST);
  if (url.host.starts_with('[') && url.host.ends_with(']')) {
    url.host = url.host.substr(1, url.host.size() - 2);
  }
  if (url.host.empty()) return invalid("URL has no host", text);
  const std::string port = part(h.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
    return invalid("bad port in URL", text);
  }
  url.port = static_cast<uint16_t>(number);
  url.path = part(h.get(), CURLUPART_PATH);
  if (url.path.empty()) url.path = "/";
  url.query = part(h.get(), CURLUPART_QUERY);
  url.text = part(h.get(), CURLUPART_URL);
  return url;
}

std::string percent_encode(std::string_view text, std::string_view plain) {
  namespace grammar = boost::urls::grammar;
  const grammar::lut_chars kept =
      grammar::lut_chars(grammar::alnum_chars) + grammar::lut_chars(std::string(plain).c_str());
  return boost::urls::encode(text, kept);
}

std::string escape_path_segment(std::string_view segment) {
  // "." and ".." would name the current or parent path, so their dots are encoded too.
  const bool dots_only = segment.find_first_not_of('.') == std::string_view::npos;
  return percent_encode(segment, dots_only ? "-_~@" : "-._~@");
}

}  // namespace gaia::http
