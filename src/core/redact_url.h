#pragma once
// How Gaia shows an address that may carry a secret (DATABASE_URL, the webhook and reviewer
// URLs): the one function every log line, /health and error message uses. It hides
//   - the password of user info (postgres://gaia:***@db/gaia),
//   - every query value but a few known plain ones (?password=***, ?token=***; sslmode stays),
//   - a path segment that looks like a token (16 bytes or more, letters and digits: the
//     secret webhook services put in the path),
//   - the fragment,
//   - the password=... of a key=value connection string (host=db password=***).
// Pure; any thread.

#include <string>
#include <string_view>

namespace gaia::core {

std::string redacted_url(std::string_view url);

// `text` (a library's error about `url`, say) with every secret of `url` that redacted_url
// hides replaced by ***: as written, unquoted and percent-decoded. libpq quotes a password
// it cannot decode back ("invalid percent-encoded token: \"hunter%zz2\"").
std::string without_secrets(std::string_view text, std::string_view url);

}  // namespace gaia::core
