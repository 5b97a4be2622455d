#include "http/ws_routes.h"

#include <algorithm>
#include <cctype>

#include "http/api_support.h"
#include "http/session_store.h"
#include "http/ws_upgrade.h"  // the taker below destroys the Upgrade it is given

namespace gaia::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// True if the query string has a parameter that looks like a credential: URLs end up in
// access logs, proxies and browser history.
bool credential_in_query(std::string_view query) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    std::string_view name = param.substr(0, param.find('='));
    for (std::string_view bad : {"key", "token", "access_token", "api_key", "session"}) {
      if (iequals(name, bad)) return true;
    }
  }
  return false;
}

// A browser's Origin must name the host it connected to: another site's page would otherwise
// ride on the admin's cookie (cross-site WebSocket hijacking). No Origin: not a browser.
bool same_origin(const Request& req) {
  std::string_view origin = req.header("Origin");
  if (origin.empty()) return true;
  std::size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  return iequals(origin.substr(scheme + 3), req.header("Host"));
}

std::variant<Response, UpgradeTaker> refuse(Response r) { return r; }

}  // namespace

WsHub::KeyCheck admin_key_check(const Directory& directory) {
  return [&directory](std::string_view key) {
    std::optional<Caller> c = directory.authenticate(key);
    return c && c->role == store::Role::kAdmin;
  };
}

void add_ws_routes(Router& router, WsHub& hub, const Directory& directory) {
  router.add_upgrade(
      "GET", "/ws/admin/quotas",
      [&hub, &directory](const Request& req) -> std::variant<Response, UpgradeTaker> {
        if (!iequals(req.header("Upgrade"), "websocket")) {
          Response r = error_response(426, "upgrade_required", "connect with WebSocket");
          r.headers.push_back({"Upgrade", "websocket"});
          return r;
        }
        if (credential_in_query(req.query)) {
          return refuse(error_response(400, "invalid_request",
                                       "never put a key in the URL: send it as "
                                       "Authorization: Bearer, or as the first message"));
        }
        WsAuth how = WsAuth::kNone;
        if (!req.header("Authorization").empty()) {
          auto auth = authenticate(req, directory, true);
          if (auto* r = std::get_if<Response>(&auth)) return std::move(*r);
          how = WsAuth::kHeader;
        } else if (!cookie_value(req, kSessionCookie).empty()) {
          auto session = session_caller(req, directory);
          if (auto* r = std::get_if<Response>(&session)) return std::move(*r);
          auto* caller = std::get_if<Caller>(&session);
          if (caller == nullptr) {
            return refuse(error_response(401, "unauthorized", "sessions are not enabled"));
          }
          if (caller->role != store::Role::kAdmin) {
            return refuse(error_response(403, "forbidden", "this endpoint needs an admin"));
          }
          if (!same_origin(req)) {
            return refuse(error_response(403, "forbidden", "cross-origin WebSocket refused"));
          }
          how = WsAuth::kCookie;
        }
        return UpgradeTaker(
            [&hub, how](std::unique_ptr<Upgrade> up) { hub.accept(std::move(up), how); });
      });

  router.add("GET", "/api/ws/health", [&hub, &directory](const Request& req) {
    auto auth = authenticate(req, directory, true);
    if (auto* r = std::get_if<Response>(&auth)) return std::move(*r);
    WsHealth h = hub.health();
    return json_response(200, boost::json::object{{"clients", h.clients},
                                                  {"messages_sent", h.messages_sent},
                                                  {"dropped", h.dropped},
                                                  {"closed_slow", h.closed_slow},
                                                  {"closed_silent", h.closed_silent}});
  });
}

}  // namespace gaia::http
