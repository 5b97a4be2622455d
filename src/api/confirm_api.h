#pragma once
// The confirmation policy's endpoints (docs/api.md, "Confirmation policy"):
//   POST   /api/claude/confirm/request         any key: approve / deny / ask for a command
//   GET    /api/claude/confirm/patterns        admin: the patterns in decision order
//   POST   /api/claude/confirm/patterns        admin: add a pattern
//   PUT    /api/claude/confirm/patterns/{id}   admin: replace it
//   DELETE /api/claude/confirm/patterns/{id}   admin: remove it
//   GET    /api/claude/confirm/decisions       admin: the decision log, filtered and paged
// Pattern changes are audited with before and after, and take effect on the next
// request.

#include "api/api_support.h"
#include "confirm/confirmer.h"
#include "confirm/pattern_book.h"
#include "http/router.h"

namespace gaia::api {

// REQUIRES: everything referenced outlives the router.
void add_confirm_api(http::Router& router, const ApiContext& ctx, confirm::PatternBook& patterns,
                     confirm::Confirmer& confirmer);

}  // namespace gaia::api
