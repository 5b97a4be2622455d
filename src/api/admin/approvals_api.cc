#include "api/admin/approvals_api.h"

#include <charconv>

#include "api/admin/admin_support.h"
#include "api/api_pools.h"

namespace gaia::api::admin {
namespace {

constexpr size_t kMaxNoteBytes = 1024;

http::Response list(const ApiContext& ctx, const confirm::ApprovalDesk& desk,
                    const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  boost::json::array waiting;
  for (const confirm::PendingApproval& a : desk.pending())
    waiting.push_back(confirm::approval_json(a, "waiting"));
  return http::json_response(200,
                             {{"approvals", std::move(waiting)}, {"wait_s", desk.wait().count()}});
}

http::Response decide(const ApiContext& ctx, confirm::ApprovalDesk& desk,
                      const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        std::string_view id_text = req.path_param("id");
        uint64_t id = 0;
        auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc() || end != id_text.data() + id_text.size()) {
          return field_error("id", "must be an approval id (a positive integer)");
        }
        auto decision = body.string("decision", true, 16);
        auto note = body.string("note", false, kMaxNoteBytes);
        if (body.error()) return *body.error();
        if (*decision != "approve" && *decision != "deny") {
          return field_error("decision", "must be approve or deny");
        }
        const bool approve = *decision == "approve";
        auto settled = desk.decide(id, approve, caller.user_name, note.value_or(""));
        if (!settled.ok())
          return http::error_response(404, "not_found", settled.status().message());
        boost::json::object out =
            confirm::approval_json(settled.value(), approve ? "approved" : "denied");
        out["by"] = caller.user_name;
        out["note"] = note.value_or("");
        audit_change(ctx, caller, approve ? "approval.approve" : "approval.deny",
                     std::to_string(id), nullptr, out);
        ctx.feed.publish("approval", out);
        return http::json_response(200, out);
      });
}

}  // namespace

void add_approvals_api(http::Router& router, const ApiContext& ctx, confirm::ApprovalDesk& desk) {
  router.add_blocking("GET", "/api/admin/approvals", kAdminPool,
                      [ctx, &desk](const http::Request& req) { return list(ctx, desk, req); });
  router.add_blocking("POST", "/api/admin/approvals/{id}", kAdminPool,
                      [ctx, &desk](const http::Request& req) { return decide(ctx, desk, req); });
}

}  // namespace gaia::api::admin
