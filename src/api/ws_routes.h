#pragma once
// The admin WebSocket's routes:
//   GET /ws/admin/quotas   upgrade to WebSocket; the client is an admin proven by
//                          `Authorization: Bearer <key>`, by the dashboard session cookie (same
//                          origin only), or by a first message {"type":"auth","key":"..."};
//                          a key in the URL is refused (400), as are a bad key or session
//                          (401) and a key that is not an admin's (403), before the upgrade.
//   GET /api/ws/health     (admin) clients, messages sent, dropped, closed slow or silent.
// A client's credential in the hub is the id of the admin key it proved itself with (through
// the session, for a cookie); once that key is revoked, demoted or its user deleted, the hub
// closes the client with 1008 (RevokedKeySockets tells it at the moment of the change).
// Threads: the handlers may run on every io thread at once.

#include "http/router.h"
#include "http/ws_hub.h"
#include "identity/directory.h"

namespace gaia::api {

// `hub` and `directory` must outlive the router and the server it goes to. Session cookies
// are accepted when a SessionStore is attached to `directory`.
void add_ws_routes(http::Router& router, http::WsHub& hub, const identity::Directory& directory);

// The hub's first-message check: the id of a live admin key of `directory`.
http::WsHub::KeyCheck admin_key_check(const identity::Directory& directory);
// The hub's re-validation: true while the key of that id is a live admin key.
http::WsHub::CredentialCheck admin_credential_check(const identity::Directory& directory);

// Has the hub re-validate its clients whenever the directory's credentials change.
// Ownership: borrows the hub, which must outlive every change made to the directory.
class RevokedKeySockets final : public identity::CredentialListener {
 public:
  explicit RevokedKeySockets(http::WsHub& hub) : hub_(hub) {}
  void credentials_changed() override { hub_.revalidate(); }

 private:
  http::WsHub& hub_;
};

}  // namespace gaia::api
