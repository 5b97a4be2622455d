#pragma once
// Url: where the server is, parsed once from GAIA_URL or --url. Only plain http:// is
// supported: the client speaks HTTP/1.1 over a TCP socket and has no TLS.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gaia::cli {

struct Url {
  std::string host;  // a name or an address; IPv6 without its brackets
  uint16_t port = 80;
  std::string base_path;  // "" or "/prefix" (no trailing slash), put before every API path

  // "host:port" as people write it, IPv6 in brackets: for messages and the Host header.
  std::string authority() const;
};

// Parses "http://host[:port][/prefix]". An https:// URL, another scheme, user info, a query
// or a port outside 1..65535 is invalid_argument with a message fit for the user.
[[nodiscard]] core::Result<Url> parse_url(std::string_view text);

// `segment` with every byte outside A-Z a-z 0-9 - . _ ~ @ percent-encoded, so a name or an id
// taken from the command line stays one path segment.
std::string escape_path_segment(std::string_view segment);

}  // namespace gaia::cli
