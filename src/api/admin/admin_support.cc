#include "api/admin/admin_support.h"

#include <charconv>
#include <chrono>

#include "analytics/report.h"
#include "core/redact_url.h"
#include "http/query.h"

namespace gaia::api::admin {
namespace {

// Reads `n` digits at `s[at]` into `out`.
bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

boost::json::object user_json(const store::User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"tier", core::tier_name(u.tier)},
          {"created_at_ms", u.created_at_ms},
          {"webhook_url", u.webhook_url.empty()
                              ? boost::json::value(nullptr)
                              : boost::json::value(core::redacted_url(u.webhook_url))}};
}

boost::json::object key_json(const store::ApiKey& k) {
  boost::json::object o{{"id", k.id},
                        {"user_id", k.user_id},
                        {"role", store::role_name(k.role)},
                        {"label", k.label},
                        {"agent", k.agent},
                        {"from_env", k.from_env},
                        {"created_at_ms", k.created_at_ms}};
  if (k.revoked_at_ms) o["revoked_at_ms"] = *k.revoked_at_ms;
  return o;
}

void audit_change(const ApiContext& ctx, const identity::Caller& caller, std::string action,
                  std::string target, const boost::json::value& before,
                  const boost::json::value& after) {
  (void)ctx.store.append_audit({caller.user_name, std::move(action), std::move(target),
                                before.is_null() ? "" : boost::json::serialize(before),
                                after.is_null() ? "" : boost::json::serialize(after),
                                core::to_ms(ctx.clock.now().wall)});
}

void announce_change(const ApiContext& ctx, std::string_view what, std::string_view action,
                     const boost::json::value& id, const identity::Caller& caller) {
  ctx.feed.publish("config_changed",
                   {{"what", what}, {"action", action}, {"id", id}, {"by", caller.user_name}});
}

http::Response store_failure(const core::Status& s) {
  return http::error_response(503, "store_unavailable", s.message());
}

http::Response status_response(const core::Status& s) {
  switch (s.code()) {
    case core::StatusCode::kInvalidArgument: {
      const std::string& m = s.message();
      const size_t colon = m.find(": ");
      if (colon == std::string::npos) return field_error("body", m);
      return field_error(m.substr(0, colon), m.substr(colon + 2));
    }
    case core::StatusCode::kNotFound:
      return http::error_response(404, "not_found", s.message());
    default:
      return store_failure(s);
  }
}

std::optional<std::string> QueryReader::text(std::string_view name, size_t max_size) {
  if (error_) return std::nullopt;
  auto v = http::query_param(query_, name);
  if (v && v->size() > max_size) {
    error_ = field_error(name, "must be at most " + std::to_string(max_size) + " bytes");
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> QueryReader::integer(std::string_view name, int64_t min, int64_t max) {
  if (error_) return std::nullopt;
  auto v = http::query_param(query_, name);
  if (!v) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    error_ = field_error(
        name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<int64_t> QueryReader::time_ms(std::string_view name) {
  if (error_) return std::nullopt;
  auto v = http::query_param(query_, name);
  if (!v) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  std::optional<int64_t> t;
  if (ec == std::errc() && end == v->data() + v->size() && n >= 0) {
    t = n;
  } else {
    t = parse_rfc3339_ms(*v);
  }
  if (!t) {
    error_ = field_error(name, "must be milliseconds since the epoch or an RFC 3339 time");
  } else if (*t < analytics::kMinReportTimeMs || *t > analytics::kMaxReportTimeMs) {
    // Bounded here, before any handler adds to it or steps a calendar from it.
    error_ = field_error(name, "must be within the years 0000 to 9999");
    t.reset();
  }
  return t;
}

std::optional<int64_t> parse_rfc3339_ms(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  size_t at = 19;
  int64_t millis = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    int scale = 100;
    const size_t first = at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      millis += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  if (at >= s.size()) return std::nullopt;
  int64_t offset_min = 0;
  if (s[at] == 'Z' || s[at] == 'z') {
    ++at;
  } else if (s[at] == '+' || s[at] == '-') {
    int oh, om;
    if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' ||
        !digits(s, at + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year),
                           std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const int64_t days = sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + hour) * 60 + minute - offset_min) * 60'000 + int64_t{second} * 1000 + millis;
}

}  // namespace gaia::api::admin
