#include "api/limit_problem.h"

#include "core/text.h"
#include "http/ratelimit_fields.h"

namespace gaia::api {

LimitProblem limit_problem(const core::LimitState& limit, const core::RuleSet& rules,
                           uint32_t quota, std::string_view code, std::string_view message,
                           std::optional<int64_t> retry_after_s, boost::json::storage_ptr sp) {
  LimitProblem p{boost::json::object(12, std::move(sp)),
                 limit_problem_headers(limit, rules, quota, retry_after_s)};
  http::ObjectMembers m(p.body);
  limit_problem_members(m, limit, rules, quota, code, message, retry_after_s);
  return p;
}

template <class Members>
void limit_problem_members(Members& m, const core::LimitState& limit, const core::RuleSet& rules,
                           uint32_t quota, std::string_view code, std::string_view message,
                           std::optional<int64_t> retry_after_s) {
  http::problem_members(m, 429, code, message, http::kQuotaExceededType);
  m.member("violated-policies", {core::policy_name(limit, rules)});
  m.object("limit", [&](auto& o) { http::limit_members(o, limit, rules, quota); });
  if (retry_after_s) m.member("retry_after_s", *retry_after_s);
}

template void limit_problem_members(http::JsonWriter&, const core::LimitState&,
                                    const core::RuleSet&, uint32_t, std::string_view,
                                    std::string_view, std::optional<int64_t>);
template void limit_problem_members(http::ObjectMembers&, const core::LimitState&,
                                    const core::RuleSet&, uint32_t, std::string_view,
                                    std::string_view, std::optional<int64_t>);

std::vector<http::Header> limit_problem_headers(const core::LimitState& limit,
                                                const core::RuleSet& rules, uint32_t quota,
                                                std::optional<int64_t> retry_after_s) {
  std::vector<http::Header> headers;
  headers.reserve(3);
  headers.push_back({"RateLimit-Policy", http::policy_field(limit, rules, quota)});
  // A limit that never admits is not waiting to reset: the field says what is left.
  core::LimitState state = limit;
  if (!retry_after_s) state.retry_after_ms = -1;
  headers.push_back({"RateLimit", http::ratelimit_field(state, rules, true, quota)});
  if (retry_after_s) headers.push_back({"Retry-After", std::to_string(*retry_after_s)});
  return headers;
}

std::string limit_reached(const core::LimitState& limit, const core::RuleSet& rules,
                          std::optional<int64_t> retry_after_s) {
  // Appended into room taken once: this is the detail of every refusal by a limit.
  std::string m;
  m.reserve(96);
  std::string scratch;
  m.append("limit ").append(core::policy_name(limit.limit, rules, scratch)).append(" reached (");
  core::append_decimal(m, limit.limit.amount);
  if (retry_after_s) {
    m.append("); try again in ");
    core::append_decimal(m, *retry_after_s);
    m.append(" s");
  } else {
    m.append("); it admits nothing");
  }
  return m;
}

std::optional<http::Response> cost_beyond_limits(const core::RuleSet& rules,
                                                 const core::Principal& principal,
                                                 core::CommandTypeId type, uint32_t cost) {
  core::Policy scratch;
  for (const core::CompiledLimit& limit : rules.resolve(principal, type, scratch)) {
    // A limit of 0 admits nothing at any cost: that is a refusal (429), not bad input.
    if (limit.enforcement != core::Enforcement::kEnforce || !limit.applies_to(type) ||
        limit.kind == core::LimitKind::kConcurrency || limit.amount == 0 || cost <= limit.amount) {
      continue;
    }
    const core::LimitState state{.limit = limit, .remaining = limit.amount};
    const uint32_t quota = rules.stated_amount(principal, type, limit);
    const std::string name = core::policy_name(state, rules);
    boost::json::object body = http::problem(
        400, "invalid_request",
        "is " + std::to_string(cost) + ", more than limit " + name + " allows at all (" +
            std::to_string(limit.amount) + "): it can never be admitted");
    body["field"] = "cost";
    // The body names the limit as the field does; nothing was counted.
    boost::json::object named{{"policy", name}, {"limit", limit.amount}};
    if (quota != limit.amount) named["stated_limit"] = quota;
    body["limit"] = std::move(named);
    http::Response r = http::problem_response(400, body);
    r.headers.push_back({"RateLimit-Policy", http::policy_field(state, rules, quota)});
    return r;
  }
  return std::nullopt;
}

}  // namespace gaia::api
