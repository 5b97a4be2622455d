#include "cluster/redis/redis_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <limits>

namespace gaia::cluster::redis {
namespace {

core::Status bad(std::string_view what) {
  return core::Status::invalid_argument("redis_url: " + std::string(what));
}

// Redis numbers its databases 0..databases-1 (16 by default); the server refuses a SELECT past
// its own count, so only the form is checked here.
bool parse_database(std::string_view path, int64_t& out) {
  if (path.empty() || path == "/") return true;
  path.remove_prefix(1);
  if (path.empty() || path.size() > 9) return false;
  auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), out);
  return ec == std::errc() && end == path.data() + path.size() && out >= 0;
}

}  // namespace

core::Result<RedisUrl> RedisUrl::parse(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad("not a URL (expected redis://[user:password@]host[:port][/db])");
  const boost::urls::url_view u = *parsed;
  if (u.scheme() != "redis") {
    return bad("scheme must be redis:// (TLS, rediss://, is not supported), not " +
               std::string(u.scheme()) + "://");
  }
  RedisUrl url;
  url.host = u.host_address();
  if (url.host.empty()) return bad("no host");
  if (u.has_port()) {
    // Boost.URL takes any digits as a port; Redis listens on 1..65535.
    const std::string_view port = u.port();
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n == 0 ||
        n > 65535) {
      return bad("port must be 1..65535");
    }
    url.port = static_cast<uint16_t>(n);
  }
  if (u.has_userinfo()) {
    url.user = u.user();
    if (u.has_password()) url.password = u.password();
    if (!url.user.empty() && url.password.empty()) return bad("a user needs a password");
  }
  if (!parse_database(u.encoded_path(), url.database)) {
    return bad("the path must be one database number, such as /0");
  }
  if (u.has_query() || u.has_fragment()) return bad("no query or fragment is allowed");
  return url;
}

std::string RedisUrl::redacted() const {
  std::string out = "redis://";
  if (!password.empty()) out += user + ":***@";
  out += host.find(':') == std::string::npos ? host : "[" + host + "]";
  out += ":" + std::to_string(port);
  if (database != 0) out += "/" + std::to_string(database);
  return out;
}

}  // namespace gaia::cluster::redis
