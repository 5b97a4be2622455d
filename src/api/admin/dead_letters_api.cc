#include "api/admin/dead_letters_api.h"

#include "api/admin/admin_support.h"
#include "api/api_pools.h"

namespace gaia::api::admin {
namespace {

http::Response list(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  QueryReader q(req.query);
  const int64_t limit = q.integer("limit", 1, 1000).value_or(100);
  if (q.error()) return *q.error();
  auto letters = ctx.store.list_dead_letters(static_cast<size_t>(limit));
  if (!letters.ok()) return store_failure(letters.status());
  boost::json::array out;
  for (const store::DeadLetter& d : letters.value()) {
    out.push_back(
        {{"id", d.id}, {"at_ms", d.at_ms}, {"kind", d.kind}, {"row", d.row}, {"error", d.error}});
  }
  const store::StoreHealth h = ctx.store.health();
  boost::json::object store{{"ok", h.ok}};
  if (!h.ok) store["error"] = h.detail;
  return http::json_response(200, {{"dead_letters", std::move(out)},
                                   {"set_aside_since_start", h.dead_letters},
                                   {"store", std::move(store)}});
}

}  // namespace

void add_dead_letters_api(http::Router& router, ApiContext ctx) {
  router.add_blocking("GET", "/api/admin/dead-letters", kAdminPool,
                      [ctx](const http::Request& req) { return list(ctx, req); });
}

}  // namespace gaia::api::admin
