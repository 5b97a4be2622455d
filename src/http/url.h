#pragma once
// Url: an http:// or https:// address as the outgoing client (http/client.h) takes it, parsed
// once, at the edge (a flag, a setting), by libcurl's URL parser so that what we accept is
// what the client can reach.
//
// Example:
//   Result<Url> url = parse_url("https://gaia.example/gw");
//   if (!url.ok()) return url.status();  // "bad port in URL: ..."
//   fetch(url->origin() + url->path + "/api/v1/quota");

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gaia::http {

struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // a name or an address; IPv6 without its brackets
  uint16_t port = 0;   // the scheme's default (80, 443) when the URL names none
  std::string path;    // "/" when the URL names none; percent-encoding as written
  std::string query;   // after '?', without it; "" when none
  std::string text;    // the whole URL, normalised (scheme and host in lower case)

  // "host:port" as people write it, IPv6 in brackets: names the peer in messages.
  std::string authority() const;
  // "scheme://host:port", to which a path is appended.
  std::string origin() const;
};

// Parses "http[s]://host[:port][/path][?query]". Another scheme, user info, a fragment, a
// port outside 1..65535 or no host is invalid_argument with a message fit for a user, naming
// `text`.
[[nodiscard]] core::Result<Url> parse_url(std::string_view text);

// `text` with every byte outside A-Z a-z 0-9 and `plain` percent-encoded ("/" -> "%2F"), by
// Boost.URL, as the server decodes it.
std::string percent_encode(std::string_view text, std::string_view plain);

// `segment` with every byte outside A-Z a-z 0-9 - . _ ~ @ percent-encoded, so a name or an id
// taken from the command line stays one path segment.
std::string escape_path_segment(std::string_view segment);

}  // namespace gaia::http
