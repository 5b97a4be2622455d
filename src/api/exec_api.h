#pragma once
// POST /api/v1/exec: runs a command through the executor and streams what happens as NDJSON
// (one JSON object a line: queued, started, stdout, stderr, exited or failed) over a chunked
// response. A refusal before the command is queued is one JSON error with its status (403,
// 428, 429 with the RateLimit fields and Retry-After, 503 with Retry-After). With an
// ApprovalDesk, an agent's command the policy asks about streams approval_required and waits
// for an admin; a refusal after the stream began is its last event (refused). A client that
// goes away cancels its command, waiting, queued or running. See docs/api.md.

#include "api/api_support.h"
#include "confirm/approval_desk.h"
#include "exec/executor.h"
#include "http/router.h"

namespace gaia::api {

struct ExecApiOptions {
  std::chrono::seconds default_timeout{3600};
  std::chrono::seconds max_timeout{86'400};
  // When set, an agent's command the policy asks about waits here for an admin's approval
  // (event approval_required) instead of being answered 428 at once.
  confirm::ApprovalDesk* approvals = nullptr;
};

// `executor` must outlive the router's server.
void add_exec_api(http::Router& router, const ApiContext& ctx, exec::Executor& executor,
                  ExecApiOptions options);

// `bytes` as valid UTF-8: every invalid sequence becomes U+FFFD, so output of any kind can
// travel in a JSON string.
std::string valid_utf8(std::string_view bytes);

}  // namespace gaia::api
