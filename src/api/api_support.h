#pragma once
// What every API handler shares: the services it works with, authentication, and reading
// a JSON body field by field, so bad input is answered 400 with the field and the reason.

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/service_metrics.h"
#include "core/clock.h"
#include "core/limiter.h"
#include "exec/load_signal.h"
#include "exec/quota_check.h"
#include "http/live_feed.h"
#include "http/message.h"
#include "identity/directory.h"
#include "reputation/reputation_book.h"
#include "rules/rule_book.h"
#include "store/store.h"

namespace gaia::api {

struct ApiContext {
  core::Limiter& limiter;
  store::Store& store;
  identity::Directory& directory;
  const core::Clock& clock;
  ServiceMetrics& metrics;
  rules::RuleBook& rules;
  http::LiveFeed& feed;                              // what admins watch live (http/ws_hub.h)
  reputation::ReputationBook* reputation = nullptr;  // when set, quota answers carry it
  const exec::LoadSignal* load = nullptr;  // when set, a user's quota shows their throttle
  // With counters shared by several nodes (Redis): forgets a user's usage there; the counters
  // cleared, or nullopt when they could not be reached. Unset: the limiter holds them all.
  std::function<std::optional<size_t>(core::UserId)> reset_shared = nullptr;
  // When set, quota views read the counters checks count in (shared by several nodes, in
  // Redis); unset: the limiter's own.
  const exec::QuotaCheck* quota = nullptr;
};

// The state of `principal`'s limits as quota views show them (ApiContext::quota).
exec::QuotaView quota_view(const ApiContext& ctx, const core::Principal& principal);

// 400 problem {"error":"invalid_request","field":field,"message":message,...}
// (http::field_error_response).
http::Response field_error(std::string_view field, std::string_view message);

// What a session cookie says about a request: nothing (no cookie, or no session store
// attached to `directory`), the caller, or the response to refuse it with (401 unknown or
// expired session; 403 a state-changing request without the CSRF header).
std::variant<std::monostate, identity::Caller, http::Response> session_caller(
    const http::Request& req, const identity::Directory& directory);

// The caller of a request with a valid `Authorization: Bearer` key, or (without an
// Authorization header) a live session cookie, else the 401 to send; with `admin_only`, a
// caller of another role gets 403, as does a cookie-authenticated request other than GET/HEAD
// without `X-Gaia-Request: 1`.
std::variant<identity::Caller, http::Response> authenticate(const http::Request& req,
                                                            const identity::Directory& directory,
                                                            bool admin_only);

// The request's body parsed as JSON with every string in it, values and member names at any
// depth, checked to be text (valid UTF-8 without NUL, core/text_check.h); else the 400 naming
// the first that is not ("command", "argv[2]", "env.PATH"). A body labelled as anything but
// JSON (Content-Type other than application/json or */*+json) is answered 415 unread; an
// unlabelled one is read as JSON. Every JSON body from outside is read through here, so no
// handler, store or log line ever sees bytes it cannot keep.
// The value is allocated from `sp`.
std::variant<boost::json::value, http::Response> parse_json(const http::Request& req,
                                                            boost::json::storage_ptr sp = {});

// A request body that must be a JSON object.
class JsonBody {
 public:
  // The object, allocated from `sp`, or the 400 to send.
  static std::variant<JsonBody, http::Response> parse(const http::Request& req,
                                                      boost::json::storage_ptr sp = {});

  // Each returns the value, nullopt when absent (and not required), or sets error().
  std::optional<std::string> string(std::string_view field, bool required, size_t max_size);
  std::optional<int64_t> integer(std::string_view field, bool required, int64_t min, int64_t max);
  // A required command type's name, as its id in `rules`.
  std::optional<core::CommandTypeId> command_type(std::string_view field,
                                                  const core::RuleSet& rules);
  // The raw value of an optional field, or nullptr when absent or null.
  const boost::json::value* value(std::string_view field) { return find(field, false); }
  // The first problem met, as a response; empty while all is well.
  const std::optional<http::Response>& error() const { return error_; }

 private:
  explicit JsonBody(boost::json::object object) : object_(std::move(object)) {}
  const boost::json::value* find(std::string_view field, bool required);

  boost::json::object object_;
  std::optional<http::Response> error_;
};

// Runs fn(caller, body) for an authenticated caller (an admin, with `admin_only`) whose body
// is a JSON object; otherwise answers the 401, 403 or 400 without calling it. The body is
// allocated from `sp`: a handler given an arena that ends with the call copies out only
// strings and numbers (a boost::json copy would share the arena).
template <class Fn>
auto with_json_caller(const identity::Directory& directory, const http::Request& req,
                      bool admin_only, Fn fn, boost::json::storage_ptr sp = {})
    -> decltype(fn(std::declval<const identity::Caller&>(), std::declval<JsonBody&>())) {
  auto auth = authenticate(req, directory, admin_only);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto parsed = JsonBody::parse(req, std::move(sp));
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  return fn(std::get<identity::Caller>(auth), std::get<JsonBody>(parsed));
}

}  // namespace gaia::api
