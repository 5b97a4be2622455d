#include "api/api_support.h"

#include "core/text.h"
#include "core/text_check.h"
#include "http/strict_json.h"
#include "identity/session_store.h"
#include "rules/rule_json.h"

namespace gaia::api {

http::Response field_error(std::string_view field, std::string_view message) {
  return http::field_error_response(field, message);
}

exec::QuotaView quota_view(const ApiContext& ctx, const core::Principal& principal) {
  if (ctx.quota != nullptr) return ctx.quota->quota_view(principal);
  return {ctx.limiter.quota_status(principal, ctx.clock.now()), exec::QuotaView::Source::kMemory};
}

std::variant<std::monostate, identity::Caller, http::Response> session_caller(
    const http::Request& req, const identity::Directory& directory) {
  std::string_view token = req.cookie(identity::kSessionCookie);
  if (token.empty()) return std::monostate{};
  const identity::SessionStore* store = identity::SessionStore::of(directory);
  if (store == nullptr) return std::monostate{};
  std::optional<identity::Caller> caller = store->find(token);
  if (!caller) {
    return http::error_response(401, "unauthorized",
                                "the session has expired or ended: sign in again");
  }
  // SameSite=Strict already keeps the cookie off cross-site requests; the custom header is a
  // second guard, since a cross-site form cannot set it.
  if (req.method != "GET" && req.method != "HEAD" && req.header(identity::kCsrfHeader) != "1") {
    return http::error_response(403, "forbidden",
                                "a cookie-authenticated request that changes state must send "
                                "X-Gaia-Request: 1");
  }
  return *caller;
}

std::variant<identity::Caller, http::Response> authenticate(const http::Request& req,
                                                            const identity::Directory& directory,
                                                            bool admin_only) {
  std::string_view auth = req.header("Authorization");
  std::optional<identity::Caller> caller;
  if (std::optional<std::string_view> key = core::bearer_credentials(auth)) {
    if (!key->empty()) caller = directory.authenticate(*key);
  } else if (auth.empty()) {
    // A dashboard session cookie stands in for the key (see session_store.h).
    auto session = session_caller(req, directory);
    if (auto* refusal = std::get_if<http::Response>(&session)) return std::move(*refusal);
    if (auto* c = std::get_if<identity::Caller>(&session)) caller = std::move(*c);
  }
  if (!caller) {
    http::Response r = http::error_response(401, "unauthorized",
                                            "send a valid API key as Authorization: Bearer <key>");
    r.headers.push_back({"WWW-Authenticate", "Bearer"});
    return r;
  }
  if (admin_only && caller->role != store::Role::kAdmin) {
    return http::error_response(403, "forbidden", "this endpoint needs an admin key");
  }
  return *caller;
}

namespace {

// The first string in `v` that is not text, as the 400 naming where it is (`path`).
std::optional<http::Response> non_text(const boost::json::value& v, const std::string& path) {
  if (const boost::json::string* s = v.if_string()) {
    if (const char* problem = core::text_problem(*s)) return field_error(path, problem);
  } else if (const boost::json::array* a = v.if_array()) {
    for (size_t i = 0; i < a->size(); ++i) {
      auto r = non_text((*a)[i], path + "[" + std::to_string(i) + "]");
      if (r) return r;
    }
  } else if (const boost::json::object* o = v.if_object()) {
    for (const auto& member : *o) {
      // A name that is not text cannot be shown: the member is named by its place.
      if (const char* problem = core::text_problem(member.key())) {
        return field_error(path.empty() ? "body" : path,
                           std::string("has a member name that ") + problem);
      }
      auto r = non_text(member.value(), path.empty() ? std::string(member.key())
                                                     : path + "." + std::string(member.key()));
      if (r) return r;
    }
  }
  return std::nullopt;
}

// 415 for a Content-Type that is not JSON (RFC 9110 15.5.16), with the type we take in
// Accept; nullopt for JSON or no Content-Type at all.
std::optional<http::Response> not_json(std::string_view content_type) {
  if (content_type.empty()) return std::nullopt;
  const std::string_view media = core::trim(content_type.substr(0, content_type.find(';')));
  const bool json = core::iequals(media, "application/json") ||
                    (media.size() > 5 && core::iequals(media.substr(media.size() - 5), "+json"));
  if (json) return std::nullopt;
  http::Response r = http::error_response(
      415, "unsupported_media_type",
      "the body must be JSON (Content-Type: application/json), not " + std::string(media));
  r.headers.push_back({"Accept", "application/json"});
  return r;
}

}  // namespace

std::variant<boost::json::value, http::Response> parse_json(const http::Request& req,
                                                            boost::json::storage_ptr sp) {
  if (auto refused = not_json(req.header("Content-Type"))) return std::move(*refused);
  auto parsed = http::parse_strict_json(req.body, std::move(sp));
  if (auto* refused = std::get_if<core::FieldError>(&parsed)) {
    return field_error(refused->field, refused->message);
  }
  boost::json::value& v = std::get<boost::json::value>(parsed);
  if (auto refused = non_text(v, "")) return std::move(*refused);
  return std::move(v);
}

std::variant<JsonBody, http::Response> JsonBody::parse(const http::Request& req,
                                                       boost::json::storage_ptr sp) {
  auto parsed = parse_json(req, std::move(sp));
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  boost::json::value& v = std::get<boost::json::value>(parsed);
  if (!v.is_object()) return field_error("body", "must be a JSON object");
  return JsonBody(std::move(v.get_object()));
}

const boost::json::value* JsonBody::find(std::string_view field, bool required) {
  if (error_) return nullptr;
  const boost::json::value* v = object_.if_contains(field);
  if ((v == nullptr || v->is_null()) && required) error_ = field_error(field, "is required");
  return v != nullptr && !v->is_null() ? v : nullptr;
}

std::optional<std::string> JsonBody::string(std::string_view field, bool required,
                                            size_t max_size) {
  const boost::json::value* v = find(field, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    error_ = field_error(field, "must be a string");
    return std::nullopt;
  }
  const boost::json::string& s = v->get_string();
  if (s.size() > max_size) {
    error_ = field_error(field, "must be at most " + std::to_string(max_size) + " bytes");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<int64_t> JsonBody::integer(std::string_view field, bool required, int64_t min,
                                         int64_t max) {
  const boost::json::value* v = find(field, required);
  if (v == nullptr) return std::nullopt;
  std::optional<int64_t> n = rules::json_integer(v);
  if (!n) {
    error_ = field_error(field, "must be an integer");
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    error_ = field_error(field,
                         "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<core::CommandTypeId> JsonBody::command_type(std::string_view field,
                                                          const core::RuleSet& rules) {
  auto name = string(field, true, 128);
  if (!name) return std::nullopt;
  auto id = rules.type_id(*name);
  if (!id) error_ = field_error(field, "unknown command type " + *name);
  return id;
}

}  // namespace gaia::api
