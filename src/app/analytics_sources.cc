#include "app/analytics_sources.h"

namespace gaia::app {

std::optional<analytics::ReputationMove> ReputationMoves::movement(std::string_view user,
                                                                   int64_t since_ms) const {
  const boost::json::object o = book_.to_json(user);
  const boost::json::array* events = o.if_contains("events") ? o.at("events").if_array() : nullptr;
  if (events == nullptr || events->empty()) return std::nullopt;
  analytics::ReputationMove move;
  move.now = o.at("score").to_number<double>();
  move.before = o.if_contains("baseline") ? o.at("baseline").to_number<double>() : move.now;
  for (const boost::json::value& e : *events) {
    const boost::json::object& event = e.as_object();
    if (event.at("at_ms").to_number<int64_t>() >= since_ms) break;  // oldest first
    move.before = event.at("score_after").to_number<double>();
  }
  return move;
}

std::vector<analytics::QuotaUse> LimiterQuotas::calendar_quotas(int64_t now_ms) const {
  std::vector<analytics::QuotaUse> out;
  auto users = store_.list_users();
  if (!users.ok()) return out;
  const core::Instant now = clock_.now();
  auto rules = limiter_.rules();
  for (const store::User& user : users.value()) {
    const core::Principal principal{user.id, 0, user.tier, directory_.limit_scale(user.id)};
    for (const core::QuotaLine& line : limiter_.quota_status(principal, now)) {
      const core::CompiledLimit& l = line.state.limit;
      if (l.kind != core::LimitKind::kCalendar || l.amount == 0) continue;
      if (line.type >= rules->command_types().size()) continue;  // every type together
      out.push_back({user.id, rules->command_types()[line.type].name, core::period_name(l.period),
                     line.state.used + line.state.remaining, line.state.used,
                     now_ms + line.state.reset_ms});
    }
  }
  return out;
}

}  // namespace gaia::app
