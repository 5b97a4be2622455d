#pragma once
// What the admin endpoints share: the audit record of a change (who, when, before, after),
// its config_changed announcement on the live feed, the 503 of a store failure, a Status
// "field: reason" as a 400 naming the field, and reading query parameters (filters and
// pages) with a 400 naming the parameter when one is malformed.
// Threads: free functions; any thread.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_support.h"

namespace gaia::api::admin {

// {"id","name","tier","created_at_ms","webhook_url"}: the URL redacted (core/redact_url.h), or
// null when none is set.
boost::json::object user_json(const store::User& u);
// {"id","user_id","role","label","agent","from_env","created_at_ms","revoked_at_ms"?}; never
// the key.
boost::json::object key_json(const store::ApiKey& k);

// Appends an audit entry (before/after as JSON; null for none). An audit failure does not
// undo the change: the change is already durable.
void audit_change(const ApiContext& ctx, const identity::Caller& caller, std::string action,
                  std::string target, const boost::json::value& before,
                  const boost::json::value& after);

// Publishes "config_changed" {what, action, id, by} on ctx.feed; `id` names what changed (a
// rule id, a user name).
void announce_change(const ApiContext& ctx, std::string_view what, std::string_view action,
                     const boost::json::value& id, const identity::Caller& caller);
inline void announce_change(const ApiContext& ctx, std::string_view what, std::string_view action,
                            std::string_view id, const identity::Caller& caller) {
  announce_change(ctx, what, action, boost::json::value(boost::json::string(id)), caller);
}
inline void announce_change(const ApiContext& ctx, std::string_view what, std::string_view action,
                            uint64_t id, const identity::Caller& caller) {
  announce_change(ctx, what, action, boost::json::value(id), caller);
}

// 503 {"error":"store_unavailable",...}.
http::Response store_failure(const core::Status& s);

// kInvalidArgument "field: reason" → 400 naming the field (no ": " → field "body");
// kNotFound → 404; anything else → 503.
http::Response status_response(const core::Status& s);

// Query parameters read one by one (http::query_param: percent-decoded, an empty value counts
// as absent); the first malformed one sets error() (a 400 naming it).
class QueryReader {
 public:
  explicit QueryReader(std::string_view query) : query_(query) {}

  std::optional<std::string> text(std::string_view name, size_t max_size = 128);
  // An integer in [min, max].
  std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max);
  // Milliseconds since the epoch, or an RFC 3339 time ("2026-01-05T10:00:00Z",
  // "2026-01-05T12:00:00.5+02:00"), within the years 0000 to 9999 (analytics::kMinReportTimeMs
  // to kMaxReportTimeMs), so no sum or calendar step over it can overflow.
  std::optional<int64_t> time_ms(std::string_view name);
  const std::optional<http::Response>& error() const { return error_; }

 private:
  std::string_view query_;
  std::optional<http::Response> error_;
};

// Parses an RFC 3339 date-time to ms since the epoch.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace gaia::api::admin
