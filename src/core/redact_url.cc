#include "core/redact_url.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.h"

namespace gaia::core {
namespace {

constexpr std::string_view kHidden = "***";

// Query parameters whose values configure a connection and hold no secret.
bool plain_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kPlain = {
      "sslmode",    "connect_timeout", "application_name", "target_session_attrs",
      "keepalives", "keepalives_idle", "keepalives_count", "keepalives_interval",
      "options",    "client_encoding", "dbname",           "port"};
  return std::any_of(kPlain.begin(), kPlain.end(),
                     [&](std::string_view p) { return iequals(p, name); });
}

bool looks_like_token(std::string_view segment) {
  if (segment.size() < 16) return false;
  const auto has = [&](int (*klass)(int)) {
    return std::any_of(segment.begin(), segment.end(),
                       [&](char c) { return klass(static_cast<unsigned char>(c)) != 0; });
  };
  return has(isdigit) && has(isalpha);
}

// "host=db password=secret": every value of a password keyword hidden, quoted or not.
std::string redacted_conninfo(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) break;
    const std::string_view keyword = trim(text.substr(i, eq - i));
    size_t end = eq + 1;
    while (end < text.size() && text[end] == ' ') ++end;
    if (end < text.size() && text[end] == '\'') {
      for (++end; end < text.size() && text[end] != '\''; ++end) {
        if (text[end] == '\\') ++end;
      }
      if (end < text.size()) ++end;
    } else {
      while (end < text.size() && text[end] != ' ') ++end;
    }
    out.append(text.substr(i, eq + 1 - i));
    if (iequals(keyword, "password")) {
      out += kHidden;
    } else {
      out.append(text.substr(eq + 1, end - eq - 1));
    }
    i = end;
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

std::string redacted_query(std::string_view query) {
  std::string out;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (!out.empty()) out += '&';
    if (eq == std::string_view::npos || plain_parameter(pair.substr(0, eq))) {
      out.append(pair);
    } else {
      out.append(pair.substr(0, eq + 1)).append(kHidden);
    }
    if (amp == std::string_view::npos) return out;
    query.remove_prefix(amp + 1);
  }
}

std::string redacted_path(std::string_view path) {
  std::string out;
  while (!path.empty()) {
    const size_t slash = path.find('/', 1);
    const std::string_view piece = path.substr(0, slash);  // "/segment"
    const std::string_view segment = piece.substr(piece.front() == '/' ? 1 : 0);
    if (looks_like_token(segment)) {
      out.append(piece.substr(0, piece.size() - segment.size())).append(kHidden);
    } else {
      out.append(piece);
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

}  // namespace

std::string redacted_url(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return url.find('=') == std::string_view::npos ? std::string(url) : redacted_conninfo(url);
  }
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('#'));
  const size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view tail = path_at == std::string_view::npos ? "" : rest.substr(path_at);

  std::string out(url.substr(0, scheme + 3));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view info = authority.substr(0, at);
    const size_t colon = info.find(':');
    out.append(info.substr(0, colon));
    if (colon != std::string_view::npos) out.append(":").append(kHidden);
    out += '@';
    authority.remove_prefix(at + 1);
  }
  out.append(authority);
  const size_t q = tail.find('?');
  out += redacted_path(tail.substr(0, q));
  if (q != std::string_view::npos) out.append("?").append(redacted_query(tail.substr(q + 1)));
  return out;
}

}  // namespace gaia::core
