#include "app/confirm_hook.h"

namespace gaia::app {
namespace {

exec::Confirmation confirmation_of(const confirm::ConfirmAnswer& a) {
  switch (a.verdict) {
    case confirm::Verdict::kApprove:
      return {exec::Confirmation::Verdict::kApprove, a.reason};
    case confirm::Verdict::kDeny:
      return {exec::Confirmation::Verdict::kDeny, a.reason};
    case confirm::Verdict::kAsk:
      break;
  }
  return {exec::Confirmation::Verdict::kAsk,
          a.reason +
              "; to approve it, an admin adds an approving pattern "
              "(POST /api/claude/confirm/patterns), or a person runs it without \"agent\": true"};
}

}  // namespace

void ConfirmHook::review(const exec::ExecRequest& request,
                         std::function<void(exec::Confirmation)> done) {
  confirm::ConfirmQuestion q;
  // The resolved program and the env changes, not the argv the agent sent: what runs.
  q.request.command = exec::launch_command(request);
  q.request.cwd = request.spec.cwd.value_or("");
  q.request.tool = "exec";
  std::shared_ptr<const core::RuleSet> rules = limiter_.rules();
  if (request.type < rules->command_types().size()) {
    q.request.type = rules->command_types()[request.type].name;
  }
  q.user = request.user_name;
  q.key_id = request.principal.key;
  q.tier = request.principal.tier;
  confirmer_.decide_async(std::move(q), [done = std::move(done)](confirm::ConfirmAnswer a) {
    done(confirmation_of(a));
  });
}

}  // namespace gaia::app
