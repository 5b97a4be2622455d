#include "confirm/confirmer.h"

#include "confirm/pattern_json.h"

namespace gaia::confirm {

ConfirmAnswer Confirmer::by_patterns(const ConfirmQuestion& q, bool& ask_reviewer) const {
  std::shared_ptr<const confirm::PatternSet> set = patterns_.current();
  confirm::Decision d = set->decide(
      q.request.command, {.command_type = q.request.type, .user = q.user, .tier = q.tier});
  ConfirmAnswer a;
  a.verdict = d.decision;
  a.reason = std::move(d.reason);
  a.source = std::string(confirm::source_name(d.source));
  a.pattern_id = std::move(d.pattern_id);
  a.parts = std::move(d.parts);
  // The reviewer decides only commands whose sole open question is parts no pattern matched
  // (source "default"): a pattern's deny or ask, and a guard's ask, stand whatever it says,
  // so neither its answer nor the fallback can approve what they asked about.
  ask_reviewer = reviewer_ != nullptr && d.source == confirm::Source::kDefault;
  return a;
}

ReviewerQuestion Confirmer::reviewer_question(const ConfirmQuestion& q, const ConfirmAnswer& a) {
  ReviewerQuestion r{q.request.command,
                     q.request.cwd,
                     q.request.type,
                     q.request.session_id,
                     q.request.tool,
                     q.user,
                     {}};
  for (const confirm::PartDecision& p : a.parts) {
    if (p.kind == confirm::PartKind::kCommand) r.parts.push_back(p.text);
  }
  return r;
}

void Confirmer::apply_review(ConfirmAnswer& a, const core::Result<ReviewerAnswer>& review,
                             core::MonoTime asked) const {
  a.reviewer_latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.mono_now() - asked).count();
  a.pattern_id.reset();
  if (review.ok()) {
    a.verdict = review->verdict;
    a.reason = review->reason.empty() ? "the reviewer decided" : review->reason;
    a.source = "reviewer";
    return;
  }
  a.verdict = options_.fallback;
  a.reason = "reviewer unavailable (" + review.status().message() + "); fallback " +
             std::string(confirm::verdict_name(options_.fallback));
  a.source = "fallback";
}

void Confirmer::finish(const ConfirmQuestion& q, const ConfirmAnswer& a) {
  store::ConfirmDecision row;
  row.at_ms = core::to_ms(clock_.wall_now());
  row.user = q.user;
  row.key_id = q.key_id;
  row.command = q.request.command;
  row.cwd = q.request.cwd;
  row.session_id = q.request.session_id;
  row.tool = q.request.tool;
  row.decision = std::string(confirm::verdict_name(a.verdict));
  row.source = a.source;
  row.pattern_id = a.pattern_id.value_or("");
  row.reason = a.reason;
  row.reviewer_latency_ms = a.reviewer_latency_ms;
  store_.record_decision(std::move(row));
  if (reputation_ != nullptr && a.verdict == confirm::Verdict::kDeny) {
    reputation_->record(q.user, core::ReputationEvent::kDenied);
  }
}

ConfirmAnswer Confirmer::decide(const ConfirmQuestion& q) {
  bool ask_reviewer = false;
  ConfirmAnswer a = by_patterns(q, ask_reviewer);
  if (ask_reviewer) {
    const core::MonoTime asked = clock_.mono_now();
    apply_review(a, reviewer_->ask(reviewer_question(q, a)), asked);
  }
  finish(q, a);
  return a;
}

void Confirmer::decide_async(ConfirmQuestion q, std::function<void(ConfirmAnswer)> done) {
  bool ask_reviewer = false;
  ConfirmAnswer a = by_patterns(q, ask_reviewer);
  if (!ask_reviewer) {
    finish(q, a);
    return done(std::move(a));
  }
  const core::MonoTime asked = clock_.mono_now();
  ReviewerQuestion rq = reviewer_question(q, a);
  reviewer_->ask_async(std::move(rq),
                       [this, q = std::move(q), a = std::move(a), asked,
                        done = std::move(done)](core::Result<ReviewerAnswer> review) mutable {
                         apply_review(a, review, asked);
                         finish(q, a);
                         done(std::move(a));
                       });
}

boost::json::object Confirmer::to_json(const ConfirmAnswer& a) {
  boost::json::object o{
      {"decision", confirm::verdict_name(a.verdict)}, {"reason", a.reason}, {"source", a.source}};
  if (a.pattern_id) o["pattern_id"] = *a.pattern_id;
  if (a.reviewer_latency_ms) o["reviewer_latency_ms"] = *a.reviewer_latency_ms;
  boost::json::array parts;
  for (const confirm::PartDecision& p : a.parts) {
    boost::json::object part{{"text", p.text}, {"kind", confirm::part_kind_name(p.kind)}};
    part["decision"] = p.decision ? boost::json::value(confirm::verdict_name(*p.decision))
                                  : boost::json::value(nullptr);
    part["pattern_id"] =
        p.pattern_id ? boost::json::value(*p.pattern_id) : boost::json::value(nullptr);
    if (p.guard) part["guard"] = *p.guard;
    parts.push_back(std::move(part));
  }
  o["parts"] = std::move(parts);
  return o;
}

}  // namespace gaia::confirm
