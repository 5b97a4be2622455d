#pragma once
// The dashboard's sign-in: POST /api/admin/session {key} answers 204 with the session cookie
// (admin keys only); DELETE /api/admin/session signs out. See docs/api.md.
// Threads: the handlers may run on every io thread at once.

#include "http/directory.h"
#include "http/router.h"
#include "http/session_store.h"

namespace gaia::http {

// `directory` and `sessions` must outlive the router.
void add_session_routes(Router& router, const Directory& directory, SessionStore& sessions);

}  // namespace gaia::http
