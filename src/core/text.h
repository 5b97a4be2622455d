#pragma once
// Small text helpers shared by every parser of outside input and every writer of text.
// Pure; any thread.

#include <algorithm>
#include <charconv>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace gaia::core {

// Appends `n` in decimal, with no string of its own.
template <std::integral Integer>
void append_decimal(std::string& out, Integer n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

// `c` in lower case if it is an ASCII capital; any other byte as it is (no locale).
inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (header names, cookie names, keywords).
inline bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// `s` without the leading and trailing characters of `space`.
inline std::string_view trim(std::string_view s, std::string_view space = " \t") {
  const size_t first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// The escape JSON strings and log lines both write for `c` (\n, \r, \t, \\), or empty when
// `c` has none of these.
inline std::string_view short_escape(unsigned char c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\\':
      return "\\\\";
    default:
      return {};
  }
}

// The value of one hexadecimal digit, or -1.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The credentials of an `Authorization` value in the Bearer scheme (RFC 6750 section 2.1):
// the scheme named in any case (RFC 9110 section 11.1), then one space or more; empty when it
// names the scheme and nothing after it, nullopt when it is of another scheme. The usual
// spelling is matched first: this runs on every check.
inline std::optional<std::string_view> bearer_credentials(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.size() <= kScheme.size() || authorization[kScheme.size()] != ' ' ||
      !(authorization.starts_with(kScheme) ||
        iequals(authorization.substr(0, kScheme.size()), kScheme))) {
    return std::nullopt;
  }
  std::string_view credentials = authorization.substr(kScheme.size() + 1);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  return credentials;
}

}  // namespace gaia::core
