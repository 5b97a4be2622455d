#include "api/admin/session_api.h"

#include "api/api_support.h"

namespace gaia::api::admin {

namespace {

// API keys are "gaia_" and 43 characters; anything much longer is not one.
constexpr std::size_t kMaxKeyBytes = 256;

http::Response no_content(std::string set_cookie) {
  http::Response r;
  r.status = 204;
  r.headers.push_back({"Set-Cookie", std::move(set_cookie)});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

}  // namespace

void add_session_routes(http::Router& router, const identity::Directory& directory,
                        identity::SessionStore& sessions) {
  router.add("POST", "/api/admin/session", [&directory, &sessions](const http::Request& req) {
    auto parsed = JsonBody::parse(req);
    if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
    JsonBody& body = std::get<JsonBody>(parsed);
    std::optional<std::string> key = body.string("key", true, kMaxKeyBytes);
    if (body.error()) return *body.error();
    std::optional<identity::Caller> caller = directory.authenticate(*key);
    if (!caller) return http::error_response(401, "unauthorized", "unknown or revoked key");
    if (caller->role != store::Role::kAdmin) {
      return http::error_response(403, "forbidden", "only admin keys may sign in to the dashboard");
    }
    return no_content(sessions.cookie_for(sessions.create(*caller)));
  });

  router.add("DELETE", "/api/admin/session", [&sessions](const http::Request& req) {
    std::string_view token = req.cookie(identity::kSessionCookie);
    if (!token.empty() && req.header(identity::kCsrfHeader) != "1") {
      return http::error_response(403, "forbidden", "signing out needs X-Gaia-Request: 1");
    }
    if (!token.empty()) sessions.forget(token);
    return no_content(sessions.expired_cookie());  // signed out, whether or not it was signed in
  });
}

}  // namespace gaia::api::admin
