#pragma once
// The admin's side of approvals (see approval_desk.h):
//   GET  /api/admin/approvals        the commands waiting, oldest first
//   POST /api/admin/approvals/{id}   {"decision":"approve"|"deny","note"?}: settles one
// Admin only; every answer is audited and announced on the live feed ("approval").

#include "api/api_support.h"
#include "confirm/approval_desk.h"
#include "http/router.h"

namespace gaia::api::admin {

// `desk` must outlive the router's server.
void add_approvals_api(http::Router& router, const ApiContext& ctx, confirm::ApprovalDesk& desk);

}  // namespace gaia::api::admin
