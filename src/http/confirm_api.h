#pragma once
// The confirmation policy's endpoints (docs/api.md, "Confirmation policy"):
//   POST   /api/claude/confirm/request         any key: approve / deny / ask for a command
//   GET    /api/claude/confirm/patterns        admin: the patterns in decision order
//   POST   /api/claude/confirm/patterns        admin: add a pattern
//   PUT    /api/claude/confirm/patterns/{id}   admin: replace it
//   DELETE /api/claude/confirm/patterns/{id}   admin: remove it
//   GET    /api/claude/confirm/decisions       admin: the decision log, filtered and paged
// and the reputation's:
//   GET    /api/v1/quota                       adds "reputation" to the public API's answer
//   POST   /api/admin/users/{name}/reputation/reset   admin
// Pattern changes and resets are audited with before and after, and take effect on the next
// request.

#include "http/api_support.h"
#include "http/confirmer.h"
#include "http/pattern_book.h"
#include "http/reputation_book.h"
#include "http/router.h"

namespace gaia::http {

// REQUIRES: everything referenced outlives the router.
void add_confirm_api(Router& router, const ApiContext& ctx, PatternBook& patterns,
                     Confirmer& confirmer);

// Wraps the public API's GET /api/v1/quota (add_public_api must not be called on `router`
// after this) and adds the reset route.
void add_reputation_api(Router& router, const ApiContext& ctx, ReputationBook& reputation);

}  // namespace gaia::http
