#pragma once
// The dashboard's sign-in: POST /api/admin/session {key} answers 204 with the session cookie
// (admin keys only); DELETE /api/admin/session signs out. See docs/api.md.
// Threads: the handlers may run on every io thread at once.

#include "http/router.h"
#include "identity/directory.h"
#include "identity/session_store.h"

namespace gaia::api::admin {

// `directory` and `sessions` must outlive the router.
void add_session_routes(http::Router& router, const identity::Directory& directory,
                        identity::SessionStore& sessions);

}  // namespace gaia::api::admin
