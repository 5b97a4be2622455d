#pragma once
// GET /api/admin/dead-letters[?limit=N]: the writes the database refused for what they held,
// newest first (at most `limit`, default 100, at most 1000), with the store's state:
//   {"dead_letters":[{"id","at_ms","kind","row","error"}...], "set_aside_since_start": n,
//    "store": {"ok": bool, "error": the database's last error while not ok}}
// Admin only: the rows and the database's words may quote users' input (escaped).

#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

void add_dead_letters_api(http::Router& router, ApiContext ctx);

}  // namespace gaia::api::admin
