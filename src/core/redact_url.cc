#include "core/redact_url.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

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

// A piece of the URL to show otherwise: `size` bytes at `at` shown as `with`.
struct Span {
  size_t at = 0;
  size_t size = 0;
  std::string_view with = kHidden;
};

// "host=db password=secret": every value of a password keyword, quoted or not.
void conninfo_spans(std::string_view text, std::vector<Span>& spans) {
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
    end = std::min(end, text.size());
    if (iequals(keyword, "password")) spans.push_back({eq + 1, end - eq - 1});
    i = end;
  }
}

// The values of a query (starting at `base` in the URL) but plain connection settings.
void query_spans(std::string_view query, size_t base, std::vector<Span>& spans) {
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && !plain_parameter(pair.substr(0, eq))) {
      spans.push_back({base + eq + 1, pair.size() - eq - 1});
    }
    if (amp == std::string_view::npos) return;
    query.remove_prefix(amp + 1);
    base += amp + 1;
  }
}

// The path segments (the path starting at `base` in the URL) that look like tokens.
void path_spans(std::string_view path, size_t base, std::vector<Span>& spans) {
  while (!path.empty()) {
    const size_t slash = path.find('/', 1);
    const std::string_view piece = path.substr(0, slash);  // "/segment"
    const size_t lead = piece.front() == '/' ? 1 : 0;
    if (looks_like_token(piece.substr(lead))) spans.push_back({base + lead, piece.size() - lead});
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
    base += slash;
  }
}

// What redacted_url() shows otherwise, in order, none overlapping.
std::vector<Span> hidden_spans(std::string_view url) {
  std::vector<Span> spans;
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    conninfo_spans(url, spans);
    return spans;
  }
  const size_t start = scheme + 3;
  const size_t hash = std::min(url.find('#', start), url.size());
  const std::string_view rest = url.substr(start, hash - start);
  const size_t path_at = std::min(rest.find_first_of("/?"), rest.size());
  const std::string_view authority = rest.substr(0, path_at);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const size_t colon = authority.substr(0, at).find(':');
    if (colon != std::string_view::npos) spans.push_back({start + colon + 1, at - colon - 1});
  }
  const std::string_view tail = rest.substr(path_at);
  const size_t q = std::min(tail.find('?'), tail.size());
  path_spans(tail.substr(0, q), start + path_at, spans);
  if (q < tail.size()) query_spans(tail.substr(q + 1), start + path_at + q + 1, spans);
  if (hash < url.size()) spans.push_back({hash, url.size() - hash, ""});  // the fragment
  return spans;
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A quoted conninfo value as libpq reads it: each backslash takes the next byte as it is.
std::string unescaped(std::string_view quoted) {
  std::string out;
  for (size_t i = 0; i < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 1 < quoted.size()) ++i;
    out += quoted[i];
  }
  return out;
}

// Marks every byte of `text` that lies inside an occurrence of `secret`, overlapping ones
// included. Each byte is marked once: linear in the text for any secret.
void mark_occurrences(std::string_view text, std::string_view secret, std::vector<bool>& hidden) {
  size_t marked_to = 0;
  for (size_t at = text.find(secret); at != std::string_view::npos;
       at = text.find(secret, at + 1)) {
    for (size_t i = std::max(at, marked_to); i < at + secret.size(); ++i) hidden[i] = true;
    marked_to = at + secret.size();
  }
}

}  // namespace

std::string redacted_url(std::string_view url) {
  std::string out;
  size_t from = 0;
  for (const Span& s : hidden_spans(url)) {
    out.append(url.substr(from, s.at - from)).append(s.with);
    from = s.at + s.size;
  }
  out.append(url.substr(from));
  return out;
}

std::string without_secrets(std::string_view text, std::string_view url) {
  std::vector<std::string> secrets;
  for (const Span& s : hidden_spans(url)) {
    // As written, unquoted and percent-decoded: the ways a library may quote it back.
    std::string_view raw = trim(url.substr(s.at, s.size));
    if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'') {
      secrets.emplace_back(raw);
      raw = raw.substr(1, raw.size() - 2);
      secrets.push_back(unescaped(raw));
    }
    secrets.emplace_back(raw);
    secrets.push_back(percent_decoded(raw));
  }
  std::sort(secrets.begin(), secrets.end());
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  // Occurrences are found in the text as given, never in what replacing left: a secret that
  // overlaps another, or that *** itself contains, can neither show nor multiply the text.
  std::vector<bool> hidden(text.size(), false);
  for (const std::string& secret : secrets) {
    if (!secret.empty()) mark_occurrences(text, secret, hidden);
  }
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!hidden[i]) {
      out += text[i];
    } else if (i == 0 || !hidden[i - 1]) {
      out += kHidden;
    }
  }
  return out;
}

}  // namespace gaia::core
