#include "api/ws_routes.h"

#include <algorithm>
#include <cctype>

#include "api/api_support.h"
#include "core/text.h"
#include "http/query.h"
#include "http/ws_upgrade.h"  // the taker below destroys the Upgrade it is given
#include "identity/session_store.h"

namespace gaia::api {

namespace {

// True if the query string has a parameter that looks like a credential: URLs end up in
// access logs, proxies and browser history. Names are compared decoded (`ap%69_key` is
// `api_key`), as every handler reads them.
bool credential_in_query(std::string_view query) {
  for (const std::string& name : http::query_names(query)) {
    for (std::string_view bad : {"key", "token", "access_token", "api_key", "session"}) {
      if (core::iequals(name, bad)) return true;
    }
  }
  return false;
}

// A browser's Origin must name the host it connected to: another site's page would otherwise
// ride on the admin's cookie (cross-site WebSocket hijacking). No Origin: not a browser.
bool same_origin(const http::Request& req) {
  std::string_view origin = req.header("Origin");
  if (origin.empty()) return true;
  std::size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  return core::iequals(origin.substr(scheme + 3), req.header("Host"));
}

std::variant<http::Response, http::UpgradeTaker> refuse(http::Response r) { return r; }

}  // namespace

http::WsHub::KeyCheck admin_key_check(const identity::Directory& directory) {
  return [&directory](std::string_view key) -> std::optional<http::WsHub::Credential> {
    std::optional<identity::Caller> c = directory.authenticate(key);
    if (!c || c->role != store::Role::kAdmin) return std::nullopt;
    return c->key_id;
  };
}

http::WsHub::CredentialCheck admin_credential_check(const identity::Directory& directory) {
  return [&directory](http::WsHub::Credential key_id) {
    std::optional<identity::Caller> c = directory.caller_of(key_id);
    return c && c->role == store::Role::kAdmin;
  };
}

void add_ws_routes(http::Router& router, http::WsHub& hub, const identity::Directory& directory) {
  router.add_upgrade(
      "GET", "/ws/admin/quotas",
      [&hub,
       &directory](const http::Request& req) -> std::variant<http::Response, http::UpgradeTaker> {
        if (!core::iequals(req.header("Upgrade"), "websocket")) {
          http::Response r =
              http::error_response(426, "upgrade_required", "connect with WebSocket");
          r.headers.push_back({"Upgrade", "websocket"});
          return r;
        }
        if (credential_in_query(req.query)) {
          return refuse(http::error_response(400, "invalid_request",
                                             "never put a key in the URL: send it as "
                                             "Authorization: Bearer, or as the first message"));
        }
        http::WsAuth how = http::WsAuth::kNone;
        http::WsHub::Credential key_id = 0;  // with kNone, the first message proves one
        if (!req.header("Authorization").empty()) {
          auto auth = authenticate(req, directory, true);
          if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
          how = http::WsAuth::kHeader;
          key_id = std::get<identity::Caller>(auth).key_id;
        } else if (!req.cookie(identity::kSessionCookie).empty()) {
          auto session = session_caller(req, directory);
          if (auto* r = std::get_if<http::Response>(&session)) return std::move(*r);
          auto* caller = std::get_if<identity::Caller>(&session);
          if (caller == nullptr) {
            return refuse(http::error_response(401, "unauthorized", "sessions are not enabled"));
          }
          if (caller->role != store::Role::kAdmin) {
            return refuse(http::error_response(403, "forbidden", "this endpoint needs an admin"));
          }
          if (!same_origin(req)) {
            return refuse(http::error_response(403, "forbidden", "cross-origin WebSocket refused"));
          }
          how = http::WsAuth::kCookie;
          key_id = caller->key_id;
        }
        return http::UpgradeTaker([&hub, how, key_id](std::unique_ptr<http::Upgrade> up) {
          hub.accept(std::move(up), how, key_id);
        });
      });

  router.add("GET", "/api/ws/health", [&hub, &directory](const http::Request& req) {
    auto auth = authenticate(req, directory, true);
    if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
    http::WsHealth h = hub.health();
    return http::json_response(200, boost::json::object{{"clients", h.clients},
                                                        {"messages_sent", h.messages_sent},
                                                        {"dropped", h.dropped},
                                                        {"closed_slow", h.closed_slow},
                                                        {"closed_silent", h.closed_silent},
                                                        {"folded", h.folded}});
  });
}

}  // namespace gaia::api
