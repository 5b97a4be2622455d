#include "cli/url.h"

#include <charconv>

namespace gaia::cli {

std::string Url::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

core::Result<Url> parse_url(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  if (text.starts_with("https://")) {
    return core::Status::invalid_argument(
        "https is not supported; use an http:// URL (for example behind a local TLS proxy)");
  }
  if (!text.starts_with(kScheme)) {
    return core::Status::invalid_argument("URL must start with http://: " + std::string(text));
  }
  std::string_view rest = text.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos || path.find_first_of("?#") != path.npos) {
    return core::Status::invalid_argument("URL must be http://host[:port][/path]: " +
                                          std::string(text));
  }

  Url url;
  std::string_view port_text;
  if (authority.starts_with('[')) {  // [v6 address]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return core::Status::invalid_argument("unclosed [ in URL: " + std::string(text));
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return core::Status::invalid_argument("bad host in URL: " + std::string(text));
    }
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    return core::Status::invalid_argument("URL has no host: " + std::string(text));
  }
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return core::Status::invalid_argument("bad port in URL: " + std::string(text));
    }
    url.port = static_cast<uint16_t>(port);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::string escape_path_segment(std::string_view segment) {
  constexpr char kHex[] = "0123456789ABCDEF";
  // "." and ".." would name the current or parent path, so their dots are encoded too.
  const bool dots_only = segment.find_first_not_of('.') == std::string_view::npos;
  std::string out;
  for (unsigned char c : segment) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || (c == '.' && !dots_only) || c == '_' || c == '~' || c == '@';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace gaia::cli
