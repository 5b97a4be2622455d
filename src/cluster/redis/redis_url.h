#pragma once
// RedisUrl: where Redis is and how to log in, from `redis://[user:password@]host[:port][/db]`
// (GAIA_REDIS_URL). Parsed with Boost.URL; the password never appears in redacted(), which is
// the form to log and show.
//
// Example:
//   core::Result<RedisUrl> url = RedisUrl::parse("redis://:s3cret@10.0.0.5:6380/2");
//   url->redacted();  // "redis://:***@10.0.0.5:6380/2"

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gaia::cluster::redis {

struct RedisUrl {
  std::string host;      // a name or an IP address (an IPv6 one without brackets)
  uint16_t port = 6379;  // Redis's own default
  std::string user;      // empty: AUTH with the password alone (the `default` user)
  std::string password;  // empty: no AUTH
  int64_t database = 0;  // SELECT on connect unless 0

  // Parses `text`. Fails, saying which part is wrong and why, on another scheme (rediss:// is
  // not supported), no host, a port outside 1..65535, a path that is not one database number,
  // a query or fragment, or a user without a password.
  [[nodiscard]] static core::Result<RedisUrl> parse(std::string_view text);

  // The URL with the password replaced by `***`, for logs, /health and error messages.
  std::string redacted() const;
};

}  // namespace gaia::cluster::redis
